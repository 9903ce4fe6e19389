using System.ComponentModel.DataAnnotations;

namespace Factory.Core.Metrics;

/// <summary>Parameters of the metric rules in the spec (section <c>Metrics</c>).</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Events below this confidence are stored and flagged but feed no productivity figure.</summary>
    [Range(0.0, 1.0)]
    public double MinConfidence { get; set; } = 0.7;

    /// <summary>How long a state holds without being re-asserted.</summary>
    public TimeSpan StateTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A silence longer than this is off-shift rather than absence.</summary>
    public TimeSpan OffShiftGap { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Arrival lag above which an event counts as late.</summary>
    public TimeSpan LateAfter { get; set; } = TimeSpan.FromMinutes(2);
}
