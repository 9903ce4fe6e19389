using System.Collections.Concurrent;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Core.ModelHealth;

/// <summary>
/// Confidence sums per hour, camera and model version, for every stored event (low-confidence ones included).
/// Loaded once from the database, then kept current by the writer (and by events relayed from other instances),
/// so trends, heatmaps and distributions never scan the event table.
/// </summary>
public sealed class ConfidenceAggregates(IServiceScopeFactory scopes) : ICommitObserver
{
    private const string NoCamera = "";
    private const string NoModel = "";
    private readonly ConcurrentDictionary<Key, Cell> _cells = new();
    private readonly SemaphoreSlim _reload = new(1, 1);
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _loadedUpToId = long.MaxValue;
    private int _loading;

    public readonly record struct Key(long HourTicks, string Camera, string Model);

    /// <summary>Counts of one cell. <see cref="LastTimestamp"/> is the latest event time seen in it.</summary>
    public sealed class Cell
    {
        private long _count;
        private long _low;
        private double _sum;
        private long _lastTicks;

        public long Count => Interlocked.Read(ref _count);
        public long Low => Interlocked.Read(ref _low);
        public double Sum { get { lock (this) { return _sum; } } }
        public DateTime LastTimestamp => new(Interlocked.Read(ref _lastTicks), DateTimeKind.Utc);

        public void Add(double confidence, bool low, long ticks)
        {
            lock (this)
            {
                _sum += confidence;
                _count++;
                if (low)
                {
                    _low++;
                }

                if (ticks > _lastTicks)
                {
                    _lastTicks = ticks;
                }
            }
        }
    }

    /// <summary>Waits until the initial load from the database is done (started on first use).</summary>
    public Task EnsureLoadedAsync(CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref _loading, 1) == 0)
        {
            _ = Task.Run(LoadAsync, CancellationToken.None);
        }

        return _loaded.Task.WaitAsync(ct);
    }

    public IEnumerable<KeyValuePair<Key, Cell>> Cells => _cells;

    public void OnCommitted(IReadOnlyList<FactoryEvent> stored)
    {
        foreach (var e in stored)
        {
            // Rows the initial load will read are left to it, so nothing counts twice.
            if (!_loaded.Task.IsCompleted && e.Id <= Interlocked.Read(ref _loadedUpToId))
            {
                continue;
            }

            Add(e.Timestamp, e.CameraId, e.ModelVersion, e.Confidence, e.LowConfidence);
        }
    }

    /// <summary>Forgets everything and reloads from the database (after events were deleted in bulk).</summary>
    public async Task ReloadAsync(CancellationToken ct = default)
    {
        await EnsureLoadedAsync(ct);
        await _reload.WaitAsync(ct);
        try
        {
            var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _loadedUpToId, long.MaxValue);
            Interlocked.Exchange(ref _loaded, loaded);
            _cells.Clear();
            await LoadCoreAsync(ct);
            loaded.TrySetResult();
        }
        finally
        {
            _reload.Release();
        }
    }

    private async Task LoadAsync()
    {
        try
        {
            await LoadCoreAsync(CancellationToken.None);
            _loaded.TrySetResult();
        }
        catch (Exception ex)
        {
            Interlocked.Exchange(ref _loading, 0);
            _loaded.TrySetException(ex);
        }
    }

    private async Task LoadCoreAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var maxId = await db.Events.MaxAsync(e => (long?)e.Id, ct) ?? 0;
        Interlocked.Exchange(ref _loadedUpToId, maxId);
        var rows = db.Events.AsNoTracking().Where(e => e.Id <= maxId)
            .Select(e => new { e.Timestamp, e.CameraId, e.ModelVersion, e.Confidence, e.LowConfidence })
            .AsAsyncEnumerable();
        await foreach (var e in rows.WithCancellation(ct))
        {
            Add(e.Timestamp, e.CameraId, e.ModelVersion, e.Confidence, e.LowConfidence);
        }
    }

    private void Add(DateTime timestamp, string? camera, string? model, double confidence, bool low)
    {
        var hour = timestamp.Ticks - (timestamp.Ticks % TimeSpan.TicksPerHour);
        _cells.GetOrAdd(new Key(hour, camera ?? NoCamera, model ?? NoModel), static _ => new Cell()).Add(confidence, low, timestamp.Ticks);
    }
}
