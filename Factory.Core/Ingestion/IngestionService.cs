using System.Text.Json;
using Factory.Core.Data;
using Factory.Core.DataQuality;
using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Core.Registry;
using Microsoft.Extensions.Options;

namespace Factory.Core.Ingestion;

/// <summary>Validates camera events and hands the valid ones to the single writer.</summary>
public sealed class IngestionService(
    EventWriter writer,
    RegistryCache registry,
    TimeProvider time,
    IOptions<IngestionOptions> ingestion,
    IOptions<MetricsOptions> metrics,
    IOptions<RetentionOptions> retention,
    IngestionMetrics counters,
    IngestionQualityCounter quality)
{
    private readonly EventParser _parser = new(ingestion.Value, metrics.Value, retention.Value.Period);

    public IngestionOptions Options => ingestion.Value;

    /// <summary>Validates and stores one event.</summary>
    public async Task<SingleIngestResult> IngestOneAsync(JsonElement item, CancellationToken ct, IReadOnlySet<string>? allowedCameras = null)
    {
        var snapshot = await registry.GetAsync(ct);
        var parsed = _parser.Parse(item, snapshot, time.GetUtcNow().UtcDateTime, allowedCameras);
        if (parsed.Event is null)
        {
            counters.RecordRejected(1);
            quality.RecordRejected(QualityCameras.ForRejected(item, allowedCameras), parsed.RejectReason ?? RejectReasons.Validation);
            return new SingleIngestResult(null, parsed);
        }

        var outcome = (await writer.WriteAsync([new PendingEvent(parsed.Event, parsed.LowConfidence)], ct))[0];
        if (outcome.Duplicate)
        {
            quality.RecordDuplicate(QualityCameras.ForValid(parsed.Event.CameraId, allowedCameras));
        }

        return new SingleIngestResult(outcome, parsed);
    }

    /// <summary>
    /// Validates every item and stores the valid ones, in array order, in one transaction.
    /// Invalid items are reported by index and never block the others.
    /// </summary>
    public async Task<BatchIngestResult> IngestBatchAsync(JsonElement items, CancellationToken ct, IReadOnlySet<string>? allowedCameras = null)
    {
        var prepared = await PrepareAsync(items.EnumerateArray(), ct, allowedCameras);
        return await StoreAsync(prepared, ct);
    }

    /// <summary>
    /// Validates the items and counts the invalid ones (once); nothing is written yet. The result holds no
    /// reference to the JSON, so the document may be released, and <see cref="StoreAsync"/> may be retried.
    /// </summary>
    /// <param name="cameraMismatchMessage">Replaces the default message for a <c>camera_id</c> outside <paramref name="allowedCameras"/>.</param>
    public async ValueTask<PreparedBatch> PrepareAsync(
        IEnumerable<JsonElement> items, CancellationToken ct, IReadOnlySet<string>? allowedCameras = null, string? cameraMismatchMessage = null)
    {
        var snapshot = await registry.GetAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var pending = new List<PendingEvent>();
        var indexes = new List<int>();
        var rejected = new List<BatchRejection>();
        var index = 0;
        foreach (var item in items)
        {
            var parsed = _parser.Parse(item, snapshot, now, allowedCameras, cameraMismatchMessage);
            if (parsed.Event is null)
            {
                rejected.Add(new BatchRejection(index, parsed.Errors!));
                quality.RecordRejected(QualityCameras.ForRejected(item, allowedCameras), parsed.RejectReason ?? RejectReasons.Validation);
            }
            else
            {
                pending.Add(new PendingEvent(parsed.Event, parsed.LowConfidence));
                indexes.Add(index);
            }

            index++;
        }

        counters.RecordRejected(rejected.Count);
        return new PreparedBatch(pending, indexes, rejected, allowedCameras);
    }

    /// <summary>
    /// Stores the valid events of a prepared batch in one transaction and returns once they are durable. Safe to
    /// call again after an <see cref="IngestionUnavailableException"/>: what was stored comes back as duplicates.
    /// </summary>
    public async Task<BatchIngestResult> StoreAsync(PreparedBatch batch, CancellationToken ct)
    {
        var outcomes = await writer.WriteAsync(batch.Pending, ct);
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i].Duplicate)
            {
                quality.RecordDuplicate(QualityCameras.ForValid(batch.Pending[i].Event.CameraId, batch.AllowedCameras));
            }
        }

        return new BatchIngestResult(outcomes, batch.Indexes, batch.Rejected);
    }
}

public sealed record SingleIngestResult(WriteOutcome? Outcome, EventParseResult Parse);

/// <summary>A validated batch waiting to be stored: the valid events with their indexes, and the rejected items.</summary>
public sealed record PreparedBatch(IReadOnlyList<PendingEvent> Pending, IReadOnlyList<int> Indexes, IReadOnlyList<BatchRejection> Rejected, IReadOnlySet<string>? AllowedCameras)
{
    /// <summary>Items in the batch, valid or not.</summary>
    public int Count => Pending.Count + Rejected.Count;
}

public sealed record BatchIngestResult(WriteOutcome[] Outcomes, IReadOnlyList<int> Indexes, IReadOnlyList<BatchRejection> Rejected)
{
    public int Accepted => Outcomes.Count(o => !o.Duplicate);
    public int Duplicates => Outcomes.Count(o => o.Duplicate);
}
