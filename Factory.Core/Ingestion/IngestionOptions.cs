using System.ComponentModel.DataAnnotations;

namespace Factory.Core.Ingestion;

/// <summary>Limits of the write path (section <c>Ingestion</c>).</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    /// <summary>How far in the future a timestamp may lie (camera clocks drift).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 1000;

    [Range(1024, 256 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most events the single writer folds into one transaction (group commit).</summary>
    [Range(1, 1_000_000)]
    public int MaxEventsPerCommit { get; set; } = 20_000;

    /// <summary>Most write requests waiting for the writer before callers are told to back off (503).</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;
}
