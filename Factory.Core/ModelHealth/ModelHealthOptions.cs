using System.ComponentModel.DataAnnotations;

namespace Factory.Core.ModelHealth;

/// <summary>Thresholds of model health (section <c>ModelHealth</c>).</summary>
public sealed class ModelHealthOptions
{
    public const string Section = "ModelHealth";

    /// <summary>How many of the latest events (by timestamp) the overall average covers.</summary>
    [Range(1, 100_000)]
    public int Samples { get; set; } = 100;

    /// <summary>Average below this is Critical.</summary>
    [Range(0.0, 1.0)]
    public double CriticalBelow { get; set; } = 0.75;

    /// <summary>Average below this (and not critical) is Warning.</summary>
    [Range(0.0, 1.0)]
    public double WarningBelow { get; set; } = 0.85;

    /// <summary>A relative drop of the hourly mean larger than this between the last two full hours raises an alert.</summary>
    [Range(0.0, 1.0)]
    public double HourlyDropAlert { get; set; } = 0.10;

    /// <summary>A camera without events for this long while others report is offline.</summary>
    public TimeSpan CameraSilentAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Window of the per-camera figures.</summary>
    public TimeSpan CameraWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often alerts are re-evaluated when no event arrives (silence is only seen by a clock).</summary>
    public TimeSpan EvaluateEvery { get; set; } = TimeSpan.FromSeconds(30);
}
