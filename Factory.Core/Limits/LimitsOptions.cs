using System.ComponentModel.DataAnnotations;

namespace Factory.Core.Limits;

/// <summary>How much one read may ask for (section <c>Limits</c>); checked before any work by <see cref="QueryLimits"/>.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Longest window one read may cover; unset: the raw retention horizon (<c>Retention:HotDays</c>).</summary>
    public TimeSpan? MaxWindow { get; set; }

    /// <summary>Most buckets one timeseries may have.</summary>
    [Range(1, 1_000_000)]
    public int MaxBuckets { get; set; } = 2000;

    /// <summary>Most events one page of the event log may hold.</summary>
    [Range(1, 100_000)]
    public int MaxPageSize { get; set; } = 1000;
}
