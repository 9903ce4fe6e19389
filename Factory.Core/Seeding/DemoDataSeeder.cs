using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Metrics;
using Factory.Core.Registry;
using Factory.Core.Shifts;
using Factory.Core.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.Seeding;

/// <summary>
/// Loads demo data through the same batch path as cameras (JSON, validation, single writer, dedup), so
/// seeded events are indistinguishable from real ones and re-running a seed stores no duplicates.
/// One run at a time; a second waits for the first.
/// </summary>
public sealed partial class DemoDataSeeder(
    IngestionService ingestion,
    RegistryCache registry,
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<FactoryOptions> factory,
    IOptions<SeedOptions> options,
    IOptions<MetricsOptions> metrics,
    IEnumerable<IEventsClearedObserver> clearedObservers,
    ILogger<DemoDataSeeder> logger,
    IShiftCalendarProvider? calendars = null)
{
    private const int MaxBatchesInFlight = 4;

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    /// <summary>The scenario seeding would use for a period, e.g. for a simulator continuing from it.</summary>
    public async Task<DemoScenario> CreateScenarioAsync(DateTime fromUtc, DateTime toUtc, CancellationToken ct = default)
    {
        var snapshot = await registry.GetAsync(ct);
        var calendar = calendars is null ? null : await calendars.GetAsync(ct);
        var scenario = DemoScenario.ForPeriod(snapshot.Workers, snapshot.Workstations, options.Value.RandomSeed, factory.Value.Zone, fromUtc, toUtc, calendar);

        // Re-assert well within StateTimeout, so a dropped (low-confidence) re-assert still leaves no gap.
        var maxReassert = TimeSpan.FromTicks(Math.Min(scenario.MaxReassert.Ticks, (long)(metrics.Value.StateTimeout.Ticks * 0.4)));
        if (maxReassert < scenario.MaxReassert && maxReassert > TimeSpan.Zero)
        {
            scenario = scenario with { MaxReassert = maxReassert, MinReassert = TimeSpan.FromTicks(Math.Min(scenario.MinReassert.Ticks, maxReassert.Ticks / 2)) };
        }

        return scenario;
    }

    public async Task<SeedResult> SeedAsync(SeedRequest request, IProgress<SeedProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(request.Period, TimeSpan.Zero, nameof(request));
        await _oneAtATime.WaitAsync(ct);
        try
        {
            var started = Stopwatch.GetTimestamp();
            var to = time.GetUtcNow().UtcDateTime;
            var from = to - request.Period;

            long deleted = 0;
            if (request.ClearExisting)
            {
                progress?.Report(new SeedProgress(SeedPhase.Clearing, 0, 0, 0, 0, 0, 0));
                deleted = await ClearEventsAsync(progress, ct);
            }

            var generator = new DemoDataGenerator(await CreateScenarioAsync(from, to, ct));
            var batchSize = Math.Min(options.Value.BatchSize, ingestion.Options.MaxBatchSize);
            var totals = new Totals();
            var batch = new List<GeneratedEvent>(batchSize);
            // A few batches in flight let the writer fold them into one commit while the next is prepared.
            var inFlight = new Queue<InFlightBatch>();
            try
            {
                foreach (var e in generator.Generate(from, to))
                {
                    batch.Add(e);
                    if (batch.Count == batchSize)
                    {
                        inFlight.Enqueue(Start(batch, Fraction(e.Timestamp, from, to), ct));
                        batch = new List<GeneratedEvent>(batchSize);
                        if (inFlight.Count >= MaxBatchesInFlight)
                        {
                            await CompleteAsync(inFlight.Dequeue(), totals, deleted, progress);
                        }
                    }
                }

                if (batch.Count > 0)
                {
                    inFlight.Enqueue(Start(batch, 1, ct));
                }

                while (inFlight.Count > 0)
                {
                    await CompleteAsync(inFlight.Dequeue(), totals, deleted, progress);
                }
            }
            finally
            {
                foreach (var pending in inFlight)
                {
                    // Only reached after a failure, which is already propagating; the rest just must finish before disposal.
                    await ((Task)pending.Task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    pending.Document.Dispose();
                }
            }

            progress?.Report(totals.Progress(deleted, 1) with { Phase = SeedPhase.Done });
            var result = new SeedResult(from, to, deleted, totals.Generated, totals.Accepted, totals.Duplicates, totals.Rejected, Stopwatch.GetElapsedTime(started));
            LogSeeded(result.Generated, request.Period.TotalHours, result.Accepted, result.Duplicates, result.Rejected, result.Deleted, (long)result.Elapsed.TotalMilliseconds);
            return result;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// Deletes every event stored before the call, a chunk per transaction so the writer is never blocked
    /// for long; events arriving meanwhile are kept.
    /// </summary>
    public async Task<long> ClearEventsAsync(IProgress<SeedProgress>? progress = null, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var maxId = await db.Events.MaxAsync(e => (long?)e.Id, ct);
        if (maxId is not { } last)
        {
            return 0;
        }

        var chunk = options.Value.ClearChunkSize;
        long deleted = 0;
        long done = long.MinValue;
        while (done < last)
        {
            var upper = await db.Events.Where(e => e.Id > done && e.Id <= last).OrderBy(e => e.Id)
                .Skip(chunk - 1).Select(e => (long?)e.Id).FirstOrDefaultAsync(ct) ?? last;
            var lower = done;
            deleted += await db.Events.Where(e => e.Id > lower && e.Id <= upper).ExecuteDeleteAsync(ct);
            done = upper;
            progress?.Report(new SeedProgress(SeedPhase.Clearing, deleted, 0, 0, 0, 0, 0));
        }

        foreach (var observer in clearedObservers)
        {
            await observer.OnEventsClearedAsync(deleted, ct);
        }

        LogCleared(deleted);
        return deleted;
    }

    private InFlightBatch Start(List<GeneratedEvent> batch, double fraction, CancellationToken ct)
    {
        var json = new ArrayBufferWriter<byte>(batch.Count * 300);
        CameraEventJson.WriteArray(json, batch.Select(e => e.Event));
        var document = JsonDocument.Parse(json.WrittenMemory);
        return new InFlightBatch(ingestion.IngestBatchAsync(document.RootElement, ct), document, batch.Count, fraction);
    }

    private async Task CompleteAsync(InFlightBatch pending, Totals totals, long deleted, IProgress<SeedProgress>? progress)
    {
        BatchIngestResult result;
        try
        {
            result = await pending.Task;
        }
        finally
        {
            pending.Document.Dispose();
        }

        totals.Generated += pending.Count;
        totals.Accepted += result.Accepted;
        totals.Duplicates += result.Duplicates;
        totals.Rejected += result.Rejected.Count;
        if (result.Rejected.Count > 0)
        {
            var first = result.Rejected[0];
            LogRejected(result.Rejected.Count, string.Join("; ", first.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
        }

        progress?.Report(totals.Progress(deleted, pending.Fraction));
    }

    private static double Fraction(DateTime at, DateTime from, DateTime to) => Math.Clamp((at - from) / (to - from), 0, 1);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Generated} demo events over {Hours} h: {Accepted} stored, {Duplicates} duplicates, {Rejected} rejected, {Deleted} deleted first, in {ElapsedMs} ms")]
    private partial void LogSeeded(int generated, double hours, int accepted, int duplicates, int rejected, long deleted, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleared {Deleted} events before seeding")]
    private partial void LogCleared(long deleted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} generated events were rejected by validation, e.g. {Errors}")]
    private partial void LogRejected(int count, string errors);

    private sealed record InFlightBatch(Task<BatchIngestResult> Task, JsonDocument Document, int Count, double Fraction);

    private sealed class Totals
    {
        public int Generated;
        public int Accepted;
        public int Duplicates;
        public int Rejected;

        public SeedProgress Progress(long deleted, double fraction) =>
            new(SeedPhase.Seeding, deleted, Generated, Accepted, Duplicates, Rejected, fraction);
    }
}
