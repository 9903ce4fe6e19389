using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Factory.Core.Live;

/// <summary>The default in-process notifier: a copy-on-write list of handlers.</summary>
public sealed partial class EventNotifier(ILogger<EventNotifier> logger) : IEventNotifier
{
    private ImmutableArray<Func<EventsCommitted, ValueTask>> _handlers = [];

    public int SubscriberCount => _handlers.Length;

    public IDisposable Subscribe(Func<EventsCommitted, ValueTask> handler)
    {
        ImmutableInterlocked.Update(ref _handlers, static (list, h) => list.Add(h), handler);
        return new Subscription(this, handler);
    }

    public async ValueTask PublishAsync(EventsCommitted notification)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                await handler(notification);
            }
            catch (Exception ex)
            {
                LogSubscriberFailed(ex);
            }
        }
    }

    private void Unsubscribe(Func<EventsCommitted, ValueTask> handler) =>
        ImmutableInterlocked.Update(ref _handlers, static (list, h) => list.Remove(h), handler);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A live subscriber failed while handling committed events")]
    private partial void LogSubscriberFailed(Exception ex);

    private sealed class Subscription(EventNotifier owner, Func<EventsCommitted, ValueTask> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(handler);
            }
        }
    }
}
