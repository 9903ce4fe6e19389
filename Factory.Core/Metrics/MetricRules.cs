using Factory.Core.Data;
using Factory.Core.Events;

namespace Factory.Core.Metrics;

/// <summary>
/// The parameters of metrics.md in integer ticks, plus the current model exclusions: everything that
/// decides whether an event is valid and how a segment is classified.
/// </summary>
public sealed class MetricRules
{
    public MetricRules(MetricsOptions options, IEnumerable<string>? excludedModels = null)
    {
        MinConfidence = options.MinConfidence;
        StateTimeout = Math.Max(0, options.StateTimeout.Ticks);
        OffShiftGap = Math.Max(0, options.OffShiftGap.Ticks);
        ExcludedModels = new HashSet<string>(excludedModels ?? [], StringComparer.Ordinal);
    }

    public double MinConfidence { get; }

    public long StateTimeout { get; }

    public long OffShiftGap { get; }

    public IReadOnlySet<string> ExcludedModels { get; }

    /// <summary>No counted part of a segment reaches further than this from its start.</summary>
    public long Reach => Math.Max(StateTimeout, OffShiftGap);

    public bool IsLowConfidence(double confidence) => confidence < MinConfidence;

    /// <summary>A valid event feeds productivity metrics (metrics.md, "valid event").</summary>
    public bool IsValid(double confidence, string? modelVersion) =>
        !IsLowConfidence(confidence) && (modelVersion is null || !ExcludedModels.Contains(modelVersion));

    public bool IsValid(FactoryEvent e) => IsValid(e.Confidence, e.ModelVersion);

    public bool SameExclusions(IReadOnlyCollection<string> models) =>
        models.Count == ExcludedModels.Count && models.All(ExcludedModels.Contains);

    public MetricRules WithExclusions(IEnumerable<string> models) => new(this, models);

    private MetricRules(MetricRules source, IEnumerable<string> models)
    {
        MinConfidence = source.MinConfidence;
        StateTimeout = source.StateTimeout;
        OffShiftGap = source.OffShiftGap;
        ExcludedModels = new HashSet<string>(models, StringComparer.Ordinal);
    }

    /// <summary>Reads the excluded model versions (current configuration, never "as of").</summary>
    public static IReadOnlyList<string> ExclusionsFrom(IEnumerable<ModelExclusion> rows) => rows.Select(r => r.ModelVersion).ToList();
}
