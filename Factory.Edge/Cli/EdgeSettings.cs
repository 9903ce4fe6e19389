namespace Factory.Edge.Cli;

/// <summary>Everything the console was asked to do, after parsing and validation.</summary>
public sealed record EdgeSettings
{
    public Uri Server { get; init; } = new("http://localhost:5000/");

    /// <summary><c>simple</c>: steady simulated cameras; <c>demo</c>: the shared demo-data generator (shifts, breaks, drift).</summary>
    public string Source { get; init; } = "simple";

    public int Cameras { get; init; } = 6;

    public double Rate { get; init; } = 1;

    public string? ApiKey { get; init; }

    /// <summary>When set, events are published to this broker (<c>--mqtt host[:port]</c>) instead of posted to <see cref="Server"/>.</summary>
    public string? Mqtt { get; init; }

    public string? MqttUsername { get; init; }

    public string? MqttPassword { get; init; }

    public bool MqttTls { get; init; }

    /// <summary>Topic filter whose <c>+</c> is the camera id: each camera publishes to its own topic.</summary>
    public string MqttTopic { get; init; } = Factory.Core.Mqtt.MqttOptions.DefaultTopic;

    /// <summary>The broker named by <see cref="Mqtt"/>, or null when sending over HTTP.</summary>
    public Factory.Core.Mqtt.MqttBroker? Broker { get; init; }

    public string BufferPath { get; init; } = "edge-buffer.db";

    public int MaxBuffer { get; init; } = 100_000;

    public int BatchSize { get; init; } = 100;

    public TimeSpan? Duration { get; init; }

    public int? Seed { get; init; }

    public TimeSpan StatusEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>After <see cref="Duration"/>, how long to keep sending what is still buffered.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(10);
}
