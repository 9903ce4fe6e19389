using System.Collections.Concurrent;
using Factory.Core.Events;
using Factory.Core.Live;

namespace Factory.Web.Dashboard;

/// <summary>What changed since the last refresh: the events stored meanwhile (newest last), or a forced catch-up.</summary>
public sealed record LiveBatch(IReadOnlyList<FactoryEvent> Events, bool CatchUp);

/// <summary>
/// A component's subscription to the in-process notifier that coalesces bursts: however fast events are
/// committed, <see cref="LiveBatch"/> callbacks run one at a time and at most once per <c>minInterval</c>.
/// The notifier's handler only queues and signals (it runs on the writer's publish loop); nothing is polled:
/// when no event arrives the loop sleeps on the signal.
/// </summary>
public sealed class LiveFeed : IAsyncDisposable
{
    /// <summary>At most four refreshes a second per component.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Events kept between two refreshes; older ones are dropped (the stream shows the latest only).</summary>
    public const int MaxQueued = 500;

    private readonly ConcurrentQueue<FactoryEvent> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Func<LiveBatch, Task> _onChange;
    private readonly Func<FactoryEvent, bool>? _filter;
    private readonly IDisposable _subscription;
    private readonly Task _loop;
    private int _signaled;
    private int _catchUp;

    public LiveFeed(IEventNotifier notifier, TimeProvider time, Func<LiveBatch, Task> onChange, Func<FactoryEvent, bool>? filter = null, TimeSpan? minInterval = null)
    {
        _time = time;
        _onChange = onChange;
        _filter = filter;
        _interval = minInterval ?? DefaultInterval;
        _subscription = notifier.Subscribe(OnCommitted);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Number of refreshes delivered so far (for diagnostics and tests).</summary>
    public int Refreshes { get; private set; }

    /// <summary>Asks for a full refresh (after a reconnect), even without new events.</summary>
    public void RequestCatchUp()
    {
        Volatile.Write(ref _catchUp, 1);
        Signal();
    }

    private ValueTask OnCommitted(EventsCommitted committed)
    {
        var any = false;
        foreach (var e in committed.Events)
        {
            if (_filter is null || _filter(e))
            {
                _queue.Enqueue(e);
                any = true;
            }
        }

        while (_queue.Count > MaxQueued && _queue.TryDequeue(out _))
        {
        }

        if (any)
        {
            Signal();
        }

        return ValueTask.CompletedTask;
    }

    private void Signal()
    {
        if (Interlocked.Exchange(ref _signaled, 1) == 0)
        {
            _signal.Release();
        }
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        var last = long.MinValue;
        try
        {
            while (true)
            {
                await _signal.WaitAsync(ct);
                if (last != long.MinValue)
                {
                    var wait = _interval - _time.GetElapsedTime(last);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, _time, ct);
                    }
                }

                // Reset before draining: anything that arrives from here on signals the next round.
                Volatile.Write(ref _signaled, 0);
                var catchUp = Interlocked.Exchange(ref _catchUp, 0) == 1;
                var events = new List<FactoryEvent>();
                while (_queue.TryDequeue(out var e))
                {
                    events.Add(e);
                }

                if (events.Count == 0 && !catchUp)
                {
                    continue;
                }

                last = _time.GetTimestamp();
                Refreshes++;
                try
                {
                    await _onChange(new LiveBatch(events, catchUp));
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // The component shows its own error state; the feed keeps running.
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _signal.Dispose();
    }
}
