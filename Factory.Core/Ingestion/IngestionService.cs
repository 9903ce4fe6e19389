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
        var snapshot = await registry.GetAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var pending = new List<PendingEvent>(items.GetArrayLength());
        var indexes = new List<int>(pending.Capacity);
        var rejected = new List<RejectedItem>();
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            var parsed = _parser.Parse(item, snapshot, now, allowedCameras);
            if (parsed.Event is null)
            {
                rejected.Add(new RejectedItem(index, parsed.Errors!));
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
        var outcomes = await writer.WriteAsync(pending, ct);
        for (var i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i].Duplicate)
            {
                quality.RecordDuplicate(QualityCameras.ForValid(pending[i].Event.CameraId, allowedCameras));
            }
        }

        return new BatchIngestResult(outcomes, indexes, rejected);
    }
}

public sealed record SingleIngestResult(WriteOutcome? Outcome, EventParseResult Parse);

public sealed record RejectedItem(int Index, IReadOnlyDictionary<string, string[]> Errors);

public sealed record BatchIngestResult(WriteOutcome[] Outcomes, List<int> Indexes, List<RejectedItem> Rejected)
{
    public int Accepted => Outcomes.Count(o => !o.Duplicate);
    public int Duplicates => Outcomes.Count(o => o.Duplicate);
}
