using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Core.DataQuality;

/// <summary>
/// Counts duplicates and rejects per hour, camera and reason in memory, off the write path, and adds them to
/// <c>ingestion_quality</c> when flushed (every <see cref="DataQualityOptions.FlushEvery"/> and at shutdown,
/// by <see cref="IngestionQualityFlusher"/>). A flush adds increments with an upsert, so any number of
/// instances may count into the same rows; a failed flush keeps its counts for the next one.
/// </summary>
public sealed class IngestionQualityCounter(IServiceScopeFactory scopes, TimeProvider time, IOptions<DataQualityOptions> options)
{
    private const string UpsertSql =
        "INSERT INTO ingestion_quality (hour_start, camera_id, outcome, reason, count) VALUES ({0}, {1}, {2}, {3}, {4}) " +
        "ON CONFLICT (hour_start, camera_id, outcome, reason) DO UPDATE SET count = ingestion_quality.count + excluded.count";

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private Dictionary<QualityKey, long> _pending = [];

    /// <summary>Counts held in memory, not yet flushed.</summary>
    public long Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending.Values.Sum();
            }
        }
    }

    public void RecordDuplicate(string cameraId, int count = 1) => Add(cameraId, IngestionOutcomes.Duplicate, "", count);

    public void RecordRejected(string cameraId, string reason, int count = 1) => Add(cameraId, IngestionOutcomes.Rejected, reason, count);

    private void Add(string cameraId, string outcome, string reason, int count)
    {
        if (count <= 0)
        {
            return;
        }

        var hour = HourOf(time.GetUtcNow().UtcDateTime);
        lock (_lock)
        {
            var key = new QualityKey(hour, cameraId, outcome, reason);
            if (!_pending.ContainsKey(key) && _pending.Count >= options.Value.MaxPendingKeys)
            {
                key = key with { CameraId = QualityCameras.Other };
            }

            _pending[key] = _pending.GetValueOrDefault(key) + count;
        }
    }

    /// <summary>Adds the counts held in memory to the database; returns how many rows were upserted.</summary>
    public async Task<int> FlushAsync(CancellationToken ct = default)
    {
        await _flushing.WaitAsync(ct);
        Dictionary<QualityKey, long> batch;
        try
        {
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    return 0;
                }

                batch = _pending;
                _pending = [];
            }

            try
            {
                await WriteAsync(batch, ct);
                return batch.Count;
            }
            catch
            {
                // Nothing of the batch was committed (one transaction): keep it for the next flush.
                lock (_lock)
                {
                    foreach (var (key, count) in batch)
                    {
                        _pending[key] = _pending.GetValueOrDefault(key) + count;
                    }
                }

                throw;
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task WriteAsync(Dictionary<QualityKey, long> batch, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var sqlite = db.Database.IsSqlite();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // A fixed order: two instances upserting the same rows never wait on each other in a cycle.
        foreach (var (key, count) in batch.OrderBy(k => k.Key.Hour).ThenBy(k => k.Key.CameraId, StringComparer.Ordinal)
                     .ThenBy(k => k.Key.Outcome, StringComparer.Ordinal).ThenBy(k => k.Key.Reason, StringComparer.Ordinal))
        {
            object hour = sqlite ? key.Hour.Ticks : key.Hour;
#pragma warning disable EF1002 // The SQL is a constant; every value is a parameter.
            await db.Database.ExecuteSqlRawAsync(UpsertSql, [hour, key.CameraId, key.Outcome, key.Reason, count], ct);
#pragma warning restore EF1002
        }

        await tx.CommitAsync(ct);
    }

    internal static DateTime HourOf(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);

    private readonly record struct QualityKey(DateTime Hour, string CameraId, string Outcome, string Reason);
}
