using System.Collections.Concurrent;
using Factory.Core.Live;

namespace Factory.Web.Dashboard;

/// <summary>
/// Figures that many dashboards ask for at the same moment (the same page on the same range on every wall
/// screen), computed once and shared. A result is reused only while it is younger than <see cref="MaxAge"/>
/// and was started after the caller's newest event had been published, so a dashboard refreshed because
/// of an event always gets figures that include it.
/// </summary>
public sealed class SharedFigures : IDisposable
{
    /// <summary>Twice the live refresh interval: a wall screen never shows figures older than this.</summary>
    public static readonly TimeSpan MaxAge = LiveFeed.DefaultInterval * 2;

    private const int MaxEntries = 64;

    private readonly TimeProvider _time;
    private readonly IDisposable _subscription;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _published;

    public SharedFigures(IEventNotifier notifier, TimeProvider time)
    {
        _time = time;
        _subscription = notifier.Subscribe(OnCommitted);
    }

    /// <summary>How many computations were answered from a shared result (for tests and the benchmark's evidence).</summary>
    public long Reused => Interlocked.Read(ref _reused);

    private long _reused;

    /// <summary>
    /// The figures under <paramref name="key"/>: shared when a fresh enough result covers
    /// <paramref name="seenEventId"/> (the newest event id the caller has been told of; <see cref="long.MaxValue"/>
    /// forces a new computation), otherwise computed by <paramref name="compute"/> and offered to the next callers.
    /// </summary>
    public async Task<T> GetAsync<T>(string key, long seenEventId, Func<Task<T>> compute)
        where T : class
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Covers >= seenEventId
            && _time.GetElapsedTime(entry.Started) < MaxAge && !entry.Result.IsFaulted && !entry.Result.IsCanceled)
        {
            Interlocked.Increment(ref _reused);
            return (T)await entry.Result;
        }

        // Read before computing: every event published so far is already in what the computation reads.
        var covers = Interlocked.Read(ref _published);
        var started = _time.GetTimestamp();
        var result = Box(compute);
        _entries[key] = new Entry(covers, started, result);
        if (_entries.Count > MaxEntries)
        {
            foreach (var (k, e) in _entries)
            {
                if (_time.GetElapsedTime(e.Started) >= MaxAge)
                {
                    _entries.TryRemove(k, out _);
                }
            }
        }

        return (T)await result;
    }

    private static async Task<object> Box<T>(Func<Task<T>> compute)
        where T : class => await compute();

    private ValueTask OnCommitted(EventsCommitted committed)
    {
        var max = 0L;
        foreach (var e in committed.Events)
        {
            max = Math.Max(max, e.Id);
        }

        long current;
        while ((current = Interlocked.Read(ref _published)) < max && Interlocked.CompareExchange(ref _published, max, current) != current)
        {
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose() => _subscription.Dispose();

    private sealed record Entry(long Covers, long Started, Task<object> Result);
}
