namespace Factory.Edge.Sending;

/// <summary>What the sender last learned about the server.</summary>
public enum ServerState
{
    /// <summary>Nothing sent yet.</summary>
    Unknown,

    /// <summary>The last request was answered.</summary>
    Up,

    /// <summary>Unreachable (connection refused, reset, timeout): retrying with backoff and probing <c>/health</c>.</summary>
    Down,

    /// <summary>Reachable but overloaded or failing (5xx, 429, 408): retrying with backoff.</summary>
    Busy,

    /// <summary>Refuses our requests (bad key, wrong address): events are kept, retried at most every few minutes.</summary>
    Refusing,
}

/// <summary>A snapshot of the sender's counters, for status output and tests.</summary>
public sealed record SenderStatus(
    ServerState State,
    long Requests,
    long Accepted,
    long Duplicates,
    long Rejected,
    long Retries,
    long HealthProbes,
    int ConsecutiveFailures,
    int BatchSize,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? NextWakeAt,
    long Waits,
    string? LastError);
