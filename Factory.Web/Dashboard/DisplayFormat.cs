using System.Globalization;
using Factory.Core.Events;
using Factory.Core.Metrics;

namespace Factory.Web.Dashboard;

/// <summary>How figures read on the dashboard: units always shown, one decimal where it matters.</summary>
public static class DisplayFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary><c>93.8 %</c></summary>
    public static string Percent(double value) => value.ToString("0.0", Invariant) + " %";

    /// <summary><c>6.0 u/h</c></summary>
    public static string Rate(double unitsPerHour) => unitsPerHour.ToString("0.0", Invariant) + " u/h";

    /// <summary><c>1,234</c></summary>
    public static string Count(long value) => value.ToString("N0", Invariant);

    /// <summary>Hours as <c>7 h 30 m</c>, or <c>45 m</c> under an hour.</summary>
    public static string Hours(double hours)
    {
        var minutes = (long)Math.Round(hours * 60, MidpointRounding.AwayFromZero);
        if (minutes < 60)
        {
            return minutes.ToString(Invariant) + " m";
        }

        return $"{(minutes / 60).ToString(Invariant)} h {(minutes % 60).ToString(Invariant)} m";
    }

    /// <summary>An arrival lag: <c>0.4 s</c>, <c>2 m 5 s</c>.</summary>
    public static string Lag(TimeSpan lag)
    {
        if (lag < TimeSpan.FromMinutes(1))
        {
            return lag.TotalSeconds.ToString("0.0", Invariant) + " s";
        }

        var seconds = (long)lag.TotalSeconds;
        return seconds < 3600
            ? $"{seconds / 60} m {seconds % 60} s"
            : $"{seconds / 3600} h {seconds % 3600 / 60} m";
    }

    public static string Confidence(double confidence) => confidence.ToString("0.00", Invariant);

    public static string Status(WorkerStatus status) => status switch
    {
        WorkerStatus.Working => "Working",
        WorkerStatus.Idle => "Idle",
        WorkerStatus.Absent => "Absent",
        WorkerStatus.OnBreak => "On break",
        _ => "Off shift",
    };

    /// <summary>CSS modifier shared by chips, timeline segments and stream rows.</summary>
    public static string StatusClass(WorkerStatus status) => status switch
    {
        WorkerStatus.Working => "state-working",
        WorkerStatus.Idle => "state-idle",
        WorkerStatus.Absent => "state-absent",
        WorkerStatus.OnBreak => "state-onbreak",
        _ => "state-offshift",
    };

    public static string EventLabel(EventType type) => type switch
    {
        EventType.Working => "working",
        EventType.Idle => "idle",
        EventType.Absent => "absent",
        _ => "product",
    };

    public static string EventClass(EventType type) => type switch
    {
        EventType.Working => "state-working",
        EventType.Idle => "state-idle",
        EventType.Absent => "state-absent",
        _ => "state-product",
    };
}
