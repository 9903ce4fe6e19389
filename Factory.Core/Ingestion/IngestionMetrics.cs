using System.Diagnostics.Metrics;

namespace Factory.Core.Ingestion;

/// <summary>Counters of the write path, exported by <c>/metrics</c>.</summary>
public sealed class IngestionMetrics : IDisposable
{
    public const string MeterName = "Factory.Ingestion";

    private readonly Meter _meter;
    private readonly Counter<long> _ingested;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _commitLatency;

    public IngestionMetrics()
    {
        // A plain (unscoped) meter: exporters that listen process-wide see it without DI plumbing.
        _meter = new Meter(MeterName);
        _ingested = _meter.CreateCounter<long>("events_stored", "events", "Events stored");
        _duplicates = _meter.CreateCounter<long>("events_duplicate", "events", "Events recognised as duplicates");
        _rejected = _meter.CreateCounter<long>("events_rejected", "events", "Events rejected by validation");
        _commitLatency = _meter.CreateHistogram<double>("commit_latency_seconds", "s", "Time from a request entering the writer queue to its commit");
    }

    public long Ingested => Interlocked.Read(ref _ingestedTotal);
    public long Duplicates => Interlocked.Read(ref _duplicateTotal);
    public long Rejected => Interlocked.Read(ref _rejectedTotal);

    private long _ingestedTotal;
    private long _duplicateTotal;
    private long _rejectedTotal;

    public void RecordStored(int stored, int duplicates)
    {
        _ingested.Add(stored);
        _duplicates.Add(duplicates);
        Interlocked.Add(ref _ingestedTotal, stored);
        Interlocked.Add(ref _duplicateTotal, duplicates);
    }

    public void RecordRejected(int count)
    {
        _rejected.Add(count);
        Interlocked.Add(ref _rejectedTotal, count);
    }

    public void RecordCommit(TimeSpan latency) => _commitLatency.Record(latency.TotalSeconds);

    public void Dispose() => _meter.Dispose();
}
