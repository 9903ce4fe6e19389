using System.Diagnostics;
using System.Threading.Channels;
using Factory.Core.Events;
using Factory.Core.Live;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.Ingestion;

/// <summary>
/// The single writer. Requests from any number of concurrent cameras queue here; the writer takes
/// everything waiting (up to <see cref="IngestionOptions.MaxEventsPerCommit"/>), writes it in one
/// transaction (group commit), and only then completes each caller's task. SQLite therefore never
/// sees two writers ("database is locked"), and one fsync covers many requests.
/// </summary>
public sealed partial class EventWriter : BackgroundService
{
    private readonly Channel<WriteRequest> _queue;
    private readonly Channel<EventsCommitted> _published = Channel.CreateUnbounded<EventsCommitted>(new() { SingleReader = true, SingleWriter = true });
    private readonly Func<IEventStore> _storeFactory;
    private readonly IEventNotifier _notifier;
    private readonly IEnumerable<ICommitObserver> _observers;
    private readonly TimeProvider _time;
    private readonly IngestionOptions _options;
    private readonly IngestionMetrics _metrics;
    private readonly ILogger<EventWriter> _logger;

    public EventWriter(
        Func<IEventStore> storeFactory,
        IEventNotifier notifier,
        IEnumerable<ICommitObserver> observers,
        TimeProvider time,
        IOptions<IngestionOptions> options,
        IngestionMetrics metrics,
        ILogger<EventWriter> logger)
    {
        _storeFactory = storeFactory;
        _notifier = notifier;
        _observers = observers;
        _time = time;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Write requests waiting for the writer (at most <see cref="IngestionOptions.QueueCapacity"/>).</summary>
    internal int QueuedRequests => _queue.Reader.Count;

    /// <summary>
    /// Stores the events in order and returns once they are durable. Throws
    /// <see cref="IngestionUnavailableException"/> when the queue is full or the database failed.
    /// </summary>
    public async Task<WriteOutcome[]> WriteAsync(IReadOnlyList<PendingEvent> events, CancellationToken ct = default)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var request = new WriteRequest(events, Stopwatch.GetTimestamp());
        if (!_queue.Writer.TryWrite(request))
        {
            throw new IngestionUnavailableException("The server is saturated with writes; retry after a short pause.");
        }

        // The caller's cancellation does not cancel the write: once queued, it is committed, and a retry is a safe duplicate.
        return await request.Completion.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var publisher = PublishLoopAsync();
        await using var store = _storeFactory();
        var group = new List<WriteRequest>();
        var events = new List<PendingEvent>();
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                group.Clear();
                events.Clear();
                // Whole requests only (a batch is one transaction): take the next one while it fits under the cap,
                // or alone when it is larger than the cap by itself.
                while (reader.TryPeek(out var next)
                    && (events.Count == 0 || events.Count + next.Events.Count <= _options.MaxEventsPerCommit)
                    && reader.TryRead(out var request))
                {
                    group.Add(request);
                    events.AddRange(request.Events);
                }

                await CommitGroupAsync(store, group, events);
                if (stoppingToken.IsCancellationRequested && !reader.TryPeek(out _))
                {
                    break;
                }
            }
        }
        finally
        {
            _published.Writer.TryComplete();
            await publisher;
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // Drain: requests already queued are still committed and answered before the process ends.
        _queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    private async Task CommitGroupAsync(IEventStore store, List<WriteRequest> group, List<PendingEvent> events)
    {
        WriteOutcome[] outcomes;
        List<FactoryEvent> stored;
        var receivedAt = WireTime.ToMicroseconds(_time.GetUtcNow().UtcDateTime);
        try
        {
            (outcomes, stored) = await store.InsertAsync(events, receivedAt, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogCommitFailed(ex, events.Count);
            var failure = new IngestionUnavailableException("The database could not store the events; nothing was stored, retry later.", ex);
            foreach (var request in group)
            {
                request.Completion.TrySetException(failure);
            }

            return;
        }

        foreach (var observer in _observers)
        {
            try
            {
                observer.OnCommitted(stored);
            }
            catch (Exception ex)
            {
                LogObserverFailed(ex, observer.GetType().Name);
            }
        }

        var now = Stopwatch.GetTimestamp();
        var offset = 0;
        foreach (var request in group)
        {
            var slice = outcomes.AsSpan(offset, request.Events.Count).ToArray();
            offset += request.Events.Count;
            _metrics.RecordCommit(Stopwatch.GetElapsedTime(request.QueuedAt, now));
            request.Completion.TrySetResult(slice);
        }

        _metrics.RecordStored(stored.Count, outcomes.Length - stored.Count);
        if (stored.Count > 0)
        {
            _published.Writer.TryWrite(new EventsCommitted(stored, receivedAt));
        }
    }

    private async Task PublishLoopAsync()
    {
        await foreach (var notification in _published.Reader.ReadAllAsync())
        {
            await _notifier.PublishAsync(notification);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Commit of {Count} events failed; callers were told to retry")]
    private partial void LogCommitFailed(Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Commit observer {Observer} failed")]
    private partial void LogObserverFailed(Exception ex, string observer);

    private sealed record WriteRequest(IReadOnlyList<PendingEvent> Events, long QueuedAt)
    {
        public TaskCompletionSource<WriteOutcome[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
