namespace Factory.Core.Mqtt;

/// <summary>The state of the connection to the broker, as the health check and the logs report it.</summary>
public enum MqttConnectionState
{
    /// <summary>MQTT ingestion is switched off (<c>Mqtt:Enabled=false</c>).</summary>
    Disabled,

    Connecting,

    /// <summary>Connected and subscribed.</summary>
    Connected,

    /// <summary>Not connected; the next attempt is scheduled.</summary>
    Disconnected,
}

/// <summary>A snapshot of the connection: state, since when, the last error and the next attempt.</summary>
public sealed record MqttConnectionSnapshot(
    MqttConnectionState State, string Broker, DateTimeOffset? Since, string? LastError, DateTimeOffset? NextAttemptAt, long Connections);

/// <summary>Holds the current <see cref="MqttConnectionSnapshot"/>; written by the ingestion service, read by the health check.</summary>
public sealed class MqttConnectionStatus
{
    private MqttConnectionSnapshot _current = new(MqttConnectionState.Disabled, "", null, null, null, 0);

    public MqttConnectionSnapshot Current => Volatile.Read(ref _current);

    internal void Set(MqttConnectionSnapshot snapshot) => Volatile.Write(ref _current, snapshot);
}
