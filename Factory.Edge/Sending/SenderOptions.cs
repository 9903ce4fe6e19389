namespace Factory.Edge.Sending;

/// <summary>How the sender talks to the server and how patiently it retries.</summary>
public sealed class SenderOptions
{
    /// <summary>Most events per <c>POST /api/events/batch</c>.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Optional camera key, sent as <c>X-Api-Key</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>First retry delay; each further failure doubles it.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between retries.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Up to this fraction of each delay is removed at random (0 turns jitter off).</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>How often <c>GET /health</c> is tried while the server is unreachable.</summary>
    public TimeSpan HealthProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A request that takes longer than this counts as a network failure.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>With an empty buffer, how long the sender sleeps when nobody signals new events.</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromSeconds(1);
}
