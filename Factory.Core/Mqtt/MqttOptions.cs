using System.ComponentModel.DataAnnotations;

namespace Factory.Core.Mqtt;

/// <summary>Ingestion from an MQTT broker (section <c>Mqtt</c>); validated at start-up.</summary>
public sealed class MqttOptions : IValidatableObject
{
    public const string Section = "Mqtt";

    public const string DefaultTopic = "factory/+/events";

    public bool Enabled { get; set; }

    /// <summary>Host name or address of the broker; required when <see cref="Enabled"/>.</summary>
    public string? Host { get; set; }

    /// <summary>0 means the protocol's default: 1883, or 8883 with <see cref="UseTls"/>.</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    public bool UseTls { get; set; }

    /// <summary>Topic filter with exactly one <c>+</c> level: the camera id.</summary>
    public string Topic { get; set; } = DefaultTopic;

    /// <summary>When set, the subscription is <c>$share/&lt;group&gt;/&lt;topic&gt;</c>: instances of one group share the messages.</summary>
    public string? SharedGroup { get; set; }

    /// <summary>Publish what was rejected in a message (and why) to <see cref="RejectsTopic"/>.</summary>
    public bool PublishRejects { get; set; }

    /// <summary>Where rejects are published; its <c>+</c> level is replaced by the camera id.</summary>
    public string RejectsTopic { get; set; } = "factory/+/rejects";

    /// <summary>
    /// The MQTT client id, which names this instance's session on the broker (messages that arrive while it is
    /// away are kept there). Stable across restarts and distinct per instance; default <c>factory-pulse-&lt;machine name&gt;</c>.
    /// </summary>
    [StringLength(128)]
    public string? ClientId { get; set; }

    /// <summary>
    /// Messages the broker may have delivered that are not yet acknowledged (MQTT 5 Receive Maximum). Bounds the memory
    /// of ingestion from MQTT: at most this many messages of at most <c>Ingestion:MaxBodyBytes</c> each are held.
    /// </summary>
    [Range(1, 65535)]
    public int MaxInFlight { get; set; } = 100;

    /// <summary>How long the broker keeps this instance's session (subscription and queued messages) while it is away.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "49710.00:00:00")]
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(1);

    /// <summary>First delay before reconnecting; doubles per failure, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between reconnection attempts.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Connection attempts and subscriptions that take longer than this fail.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The client id in use: <see cref="ClientId"/> or one derived from the machine name.</summary>
    public string EffectiveClientId => string.IsNullOrWhiteSpace(ClientId) ? "factory-pulse-" + Environment.MachineName : ClientId;

    /// <summary>The broker to connect to.</summary>
    public MqttBroker Broker => new(Host ?? "", Port == 0 ? MqttBroker.DefaultPort(UseTls) : Port, Username, Password, UseTls);

    /// <summary>What is subscribed: the topic, or its shared form.</summary>
    public string Subscription => string.IsNullOrWhiteSpace(SharedGroup) ? Topic : $"$share/{SharedGroup}/{Topic}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(Host))
        {
            yield return new ValidationResult("Mqtt:Host is required when Mqtt:Enabled is true.", [nameof(Host)]);
        }

        if (!MqttTopicFilter.TryParse(Topic, out var events, out var topicError))
        {
            yield return new ValidationResult($"Mqtt:Topic {topicError}", [nameof(Topic)]);
        }

        if (!MqttTopicFilter.TryParse(RejectsTopic, out var rejects, out var rejectsError))
        {
            yield return new ValidationResult($"Mqtt:RejectsTopic {rejectsError}", [nameof(RejectsTopic)]);
        }
        else if (events is not null && events.Matches(rejects!.TopicFor("camera")))
        {
            yield return new ValidationResult("Mqtt:RejectsTopic must not match Mqtt:Topic, or rejects would be read back as events.", [nameof(RejectsTopic)]);
        }

        if (SharedGroup is not null && (SharedGroup.Length == 0 || SharedGroup.IndexOfAny(['/', '+', '#']) >= 0))
        {
            yield return new ValidationResult("Mqtt:SharedGroup must be a non-empty name without '/', '+' or '#'.", [nameof(SharedGroup)]);
        }

        if (Password is not null && string.IsNullOrEmpty(Username))
        {
            yield return new ValidationResult("Mqtt:Password needs Mqtt:Username.", [nameof(Password)]);
        }

        if (MaxReconnectDelay < ReconnectDelay)
        {
            yield return new ValidationResult("Mqtt:MaxReconnectDelay must not be shorter than Mqtt:ReconnectDelay.", [nameof(MaxReconnectDelay)]);
        }
    }
}
