using Factory.Edge.Buffer;

namespace Factory.Edge.Sending;

/// <summary>
/// How a batch of buffered events reaches the server: <see cref="HttpBatchTransport"/> (<c>POST /api/events/batch</c>)
/// or <see cref="MqttBatchTransport"/> (publish to the broker). A transport only sends and reports; the sender decides
/// what leaves the buffer, when to retry and how big the next batch is.
/// </summary>
public interface IBatchTransport : IAsyncDisposable
{
    /// <summary>Who answers, for logs: "Server" or "Broker".</summary>
    string Peer { get; }

    /// <summary>What is tried while the peer is unreachable, for logs: "/health" or "a new connection".</summary>
    string Probe { get; }

    /// <summary>Sends one batch; never throws for network or peer failures (they are a <see cref="Delivery"/> too).</summary>
    Task<Delivery> SendAsync(IReadOnlyList<BufferedEvent> batch, CancellationToken ct);

    /// <summary>True when the peer answers again.</summary>
    Task<bool> ProbeAsync(CancellationToken ct);
}

/// <summary>What one send achieved.</summary>
public enum DeliveryKind
{
    /// <summary>The peer answered for the batch: <see cref="Delivery.Settled"/> says which items leave the buffer.</summary>
    Settled,

    /// <summary>Something in the batch is unacceptable as a whole (too large, malformed): split it to find what.</summary>
    Unacceptable,

    /// <summary>Reachable but overloaded or failing: retry with backoff.</summary>
    Busy,

    /// <summary>Connection refused, reset or timed out: retry with backoff and probe.</summary>
    Unreachable,

    /// <summary>Refused by configuration (key, credentials, address): keep the events, retry rarely.</summary>
    Refused,
}

/// <summary>
/// The answer to one send. Items in <see cref="Settled"/> leave the buffer even when the send as a whole failed part
/// way (an MQTT batch goes out as one message per camera, and some may be acknowledged before a failure).
/// </summary>
public sealed record Delivery(DeliveryKind Kind, string? Reason = null, TimeSpan? RetryAfter = null, IReadOnlyList<ItemSettlement>? Settled = null)
{
    public static Delivery Of(DeliveryKind kind, string reason, IReadOnlyList<ItemSettlement>? settled = null, TimeSpan? retryAfter = null) =>
        new(kind, reason, retryAfter, settled);
}

/// <summary>What became of the item at <see cref="Index"/> of the batch.</summary>
public readonly record struct ItemSettlement(int Index, ItemFate Fate, string? Reason = null);

public enum ItemFate
{
    /// <summary>Stored by the server, or taken by the broker.</summary>
    Accepted,

    /// <summary>The server already had it.</summary>
    Duplicate,

    /// <summary>Refused for good (the reason says why); never resent.</summary>
    Rejected,
}
