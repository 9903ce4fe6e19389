using System.Diagnostics.Metrics;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Live;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Factory.Tests.Core.Ingestion;

/// <summary>The single writer: callers are answered only after their commit, in order, and a failed commit acknowledges nothing.</summary>
public sealed class EventWriterTests : IAsyncLifetime
{
    private static readonly DateTime T0 = new(2026, 1, 21, 14, 0, 0, DateTimeKind.Utc);

    private readonly FakeStore _store = new();
    private readonly RecordingObserver _observer = new();
    private readonly EventNotifier _notifier = new(NullLogger<EventNotifier>.Instance);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private EventWriter _writer = null!;

    public async ValueTask InitializeAsync()
    {
        _writer = new EventWriter(() => _store, _notifier, [_observer], new FakeTimeProvider(new DateTimeOffset(T0.AddHours(1))),
            Options.Create(new IngestionOptions()), new IngestionMetrics(), NullLogger<EventWriter>.Instance);
        await _writer.StartAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _store.Release();
        await _writer.StopAsync(CancellationToken.None);
        _writer.Dispose();
        await _services.DisposeAsync();
    }

    private static PendingEvent Pending(int second, string worker = "W1") =>
        new(new NewEvent(T0.AddSeconds(second), worker, "S1", EventType.Working, 0.9), LowConfidence: false);

    private static async Task Until(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(5, deadline.Token);
        }
    }

    [Fact]
    public async Task Caller_is_answered_only_after_the_commit_returns()
    {
        _store.Hold();
        var write = _writer.WriteAsync([Pending(1)]);
        await Until(() => _store.Calls.Count == 1);

        Assert.False(write.IsCompleted);
        _store.Release();
        var outcome = Assert.Single(await write);
        Assert.Equal(new WriteOutcome(1, Duplicate: false), outcome);
    }

    [Fact]
    public async Task Commit_observers_run_before_callers_are_answered()
    {
        _store.Hold();
        var write = _writer.WriteAsync([Pending(1), Pending(2)]);
        await Until(() => _store.Calls.Count == 1);
        _observer.CallerAnswered = () => write.IsCompleted;
        _store.Release();

        Assert.Equal(2, (await write).Length);
        var seen = Assert.Single(_observer.Seen);
        Assert.Equal([1L, 2L], seen.Ids);
        Assert.False(seen.CallerAnswered);
    }

    [Fact]
    public async Task Requests_queued_during_a_commit_share_the_next_one_in_queue_order()
    {
        _store.Hold();
        var first = _writer.WriteAsync([Pending(0)]);
        await Until(() => _store.Calls.Count == 1);
        var a = _writer.WriteAsync([Pending(1), Pending(2)]);
        var b = _writer.WriteAsync([Pending(3)]);
        var c = _writer.WriteAsync([Pending(4), Pending(5), Pending(6)]);
        _store.Release();
        await Task.WhenAll(first, a, b, c);

        Assert.Equal(2, _store.Calls.Count);
        Assert.Equal([1, 2, 3, 4, 5, 6], _store.Calls[1].Select(e => (int)(e.Event.Timestamp - T0).TotalSeconds));
        Assert.Equal([2L, 3L], (await a).Select(o => o.Id));
        Assert.Equal([4L], (await b).Select(o => o.Id));
        Assert.Equal([5L, 6L, 7L], (await c).Select(o => o.Id));
    }

    [Fact]
    public async Task Failed_commit_acknowledges_nothing_and_the_writer_recovers()
    {
        _store.FailNext = true;
        var failure = await Assert.ThrowsAsync<IngestionUnavailableException>(() => _writer.WriteAsync([Pending(1)]));
        Assert.Contains("retry", failure.Message);
        Assert.Empty(_observer.Seen);

        var retried = Assert.Single(await _writer.WriteAsync([Pending(1)]));
        Assert.False(retried.Duplicate);
        Assert.Single(_observer.Seen);
    }

    [Fact]
    public async Task Committed_events_are_published_with_the_commit_time()
    {
        var received = new TaskCompletionSource<EventsCommitted>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _notifier.Subscribe(n =>
        {
            received.TrySetResult(n);
            return ValueTask.CompletedTask;
        });

        await _writer.WriteAsync([Pending(1, "W2")]);
        var notification = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("W2", Assert.Single(notification.Events).WorkerId);
        Assert.Equal(T0.AddHours(1), notification.CommittedAt);
    }

    [Fact]
    public async Task Cancelling_the_caller_does_not_cancel_a_queued_write()
    {
        _store.Hold();
        using var cts = new CancellationTokenSource();
        var write = _writer.WriteAsync([Pending(1)], cts.Token);
        await Until(() => _store.Calls.Count == 1);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);

        _store.Release();
        await Until(() => _observer.Seen.Count == 1);
        Assert.Equal([1L], _observer.Seen[0].Ids);
    }

    private sealed class FakeStore : IEventStore
    {
        private TaskCompletionSource _gate = CompletedGate();
        private long _nextId = 1;

        public List<IReadOnlyList<PendingEvent>> Calls { get; } = [];

        public bool FailNext { get; set; }

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        private static TaskCompletionSource CompletedGate()
        {
            var gate = new TaskCompletionSource();
            gate.SetResult();
            return gate;
        }

        public async Task<(WriteOutcome[] Outcomes, List<FactoryEvent> Stored)> InsertAsync(IReadOnlyList<PendingEvent> events, DateTime receivedAt, CancellationToken ct)
        {
            lock (Calls)
            {
                Calls.Add([.. events]);
            }

            await _gate.Task;
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("disk I/O error");
            }

            var stored = events.Select(e => new FactoryEvent
            {
                Id = _nextId++,
                Timestamp = e.Event.Timestamp,
                ReceivedAt = receivedAt,
                WorkerId = e.Event.WorkerId,
                WorkstationId = e.Event.WorkstationId,
                EventType = e.Event.EventType,
                Confidence = e.Event.Confidence,
            }).ToList();
            return (stored.Select(e => new WriteOutcome(e.Id, false)).ToArray(), stored);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class RecordingObserver : ICommitObserver
    {
        public Func<bool> CallerAnswered { get; set; } = () => false;

        public List<(long[] Ids, bool CallerAnswered)> Seen { get; } = [];

        public void OnCommitted(IReadOnlyList<FactoryEvent> stored) => Seen.Add(([.. stored.Select(e => e.Id)], CallerAnswered()));
    }
}
