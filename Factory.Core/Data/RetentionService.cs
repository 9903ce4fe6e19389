using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.Data;

/// <summary>
/// Deletes events older than <c>Retention:HotDays</c>, a small chunk per transaction, so that the
/// single writer never waits long for the database.
/// </summary>
public sealed partial class RetentionService(
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<RetentionOptions> options,
    IEnumerable<Ingestion.IEventsClearedObserver> clearedObservers,
    ILogger<RetentionService> logger) : BackgroundService
{
    public const int ChunkSize = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RunEvery, time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes everything older than the retention period; returns the number of events deleted.</summary>
    public async Task<long> PurgeAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - options.Value.Period;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        long total = 0;
        while (!ct.IsCancellationRequested)
        {
            var ids = await db.Events.AsNoTracking().Where(e => e.Timestamp < cutoff).OrderBy(e => e.Timestamp).Select(e => e.Id).Take(ChunkSize).ToListAsync(ct);
            if (ids.Count == 0)
            {
                break;
            }

            total += await db.Events.Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(ct);
            if (ids.Count < ChunkSize)
            {
                break;
            }

            // Let the writer in between chunks.
            await Task.Yield();
        }

        // Duplicate and reject counts are hourly rows: few enough to delete in one statement.
        var hourCutoff = DataQuality.IngestionQualityCounter.HourOf(cutoff);
        await db.IngestionQuality.Where(c => c.HourStart < hourCutoff).ExecuteDeleteAsync(ct);

        if (total > 0)
        {
            LogPurged(total, cutoff);
            foreach (var observer in clearedObservers)
            {
                await observer.OnEventsClearedAsync(total, ct);
            }
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} events older than {Cutoff:o}")]
    private partial void LogPurged(long count, DateTime cutoff);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention run failed; it will be retried")]
    private partial void LogFailed(Exception ex);
}
