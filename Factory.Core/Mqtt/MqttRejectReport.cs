using Factory.Core.Ingestion;

namespace Factory.Core.Mqtt;

/// <summary>
/// What was rejected in one message, published to the camera's rejects topic when <c>Mqtt:PublishRejects</c> is on:
/// either the whole message (<see cref="Error"/>) or items by index with every error by field, as the HTTP batch answer lists them.
/// </summary>
public sealed record MqttRejectReport(string Topic, string? Error, int Accepted, int Duplicates, IReadOnlyList<BatchRejection> Rejected);

/// <summary>Why a message was dropped whole: the <c>reason</c> label of <c>factory_mqtt_messages_rejected</c>.</summary>
public static class MqttMessageRejects
{
    /// <summary>The topic's camera level is not a usable camera id.</summary>
    public const string Topic = "topic";

    public const string TooLarge = "too_large";

    public const string NotJson = "not_json";

    /// <summary>Neither an event object nor an array of them.</summary>
    public const string WrongShape = "wrong_shape";

    public const string Empty = "empty";

    public const string TooMany = "too_many";
}
