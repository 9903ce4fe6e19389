using Factory.Core.Events;

namespace Factory.Core.Live;

/// <summary>
/// In-process publish/subscribe for committed events. Ingestion publishes after commit;
/// dashboard circuits and the SignalR hub subscribe.
/// </summary>
public interface IEventNotifier
{
    /// <summary>Subscribes a handler; dispose the result to unsubscribe.</summary>
    IDisposable Subscribe(Func<EventsCommitted, ValueTask> handler);

    /// <summary>Publishes to every subscriber; a failing subscriber never affects the others.</summary>
    ValueTask PublishAsync(EventsCommitted notification);
}

/// <summary>Events that were just made durable, in receive order.</summary>
public sealed record EventsCommitted(IReadOnlyList<FactoryEvent> Events, DateTime CommittedAt)
{
    /// <summary>True when this notification came from another instance (through the backplane).</summary>
    public bool Remote { get; init; }
}
