using System.ComponentModel.DataAnnotations;

namespace Factory.Core.DataQuality;

/// <summary>Settings of the data-quality counters (section <c>DataQuality</c>).</summary>
public sealed class DataQualityOptions
{
    public const string Section = "DataQuality";

    /// <summary>
    /// How often duplicate and reject counts kept in memory are added to the database. A crash loses at
    /// most this much of the counts (never events); a clean shutdown flushes them.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan FlushEvery { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Distinct (hour, camera, outcome, reason) keys held between flushes; further cameras count as "(other)".</summary>
    [Range(100, 1_000_000)]
    public int MaxPendingKeys { get; set; } = 10_000;
}
