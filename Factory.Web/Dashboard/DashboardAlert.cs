using Factory.Core.Metrics;
using Factory.Core.ModelHealth;

namespace Factory.Web.Dashboard;

/// <summary>How urgent an alert is; maps to red / amber / blue.</summary>
public enum AlertLevel
{
    Info,
    Warning,
    Critical,
}

/// <summary>An active condition worth a supervisor's attention, with a link to where it can be seen.</summary>
public sealed record DashboardAlert(AlertLevel Level, string Title, string Detail, string? Href = null)
{
    /// <summary>
    /// Alerts that follow from the engine's figures for the window: stations running below the amber band and
    /// events ignored for low confidence. Thresholds only; no figure is recomputed here.
    /// </summary>
    public static IReadOnlyList<DashboardAlert> From(FactoryMetrics factory, IReadOnlyList<WorkstationMetrics> stations, ModelHealthReport? health = null)
    {
        var alerts = new List<DashboardAlert>();
        // A silent camera is an alert rule's alert (shown, acknowledged and notified as such), not repeated here.
        foreach (var a in (health?.Alerts ?? []).Where(a => a.Kind != AlertKind.CameraSilent))
        {
            var title = a.Kind switch
            {
                AlertKind.CameraSilent => $"Camera {a.CameraId} silent",
                AlertKind.ConfidenceDrop => a.CameraId is null ? "Confidence drop" : $"Confidence drop on {a.CameraId}",
                _ => "Model confidence critical",
            };
            alerts.Add(new DashboardAlert(a.Severity == HealthStatus.Critical ? AlertLevel.Critical : AlertLevel.Warning, title, a.Message,
                a.CameraId is null ? "/events" : $"/events?camera_id={Uri.EscapeDataString(a.CameraId)}"));
        }

        foreach (var s in stations.Where(s => s.OccupancyHours > 0 && UtilizationBands.Of(s.UtilizationPercentage) == UtilizationBand.Low))
        {
            alerts.Add(new DashboardAlert(AlertLevel.Warning, $"{s.WorkstationName} below 50 %",
                $"Utilization {DisplayFormat.Percent(s.UtilizationPercentage)} over {DisplayFormat.Hours(s.OccupancyHours)} occupied.",
                $"/stations/{s.WorkstationId}"));
        }

        if (factory.LowConfidenceEvents > 0)
        {
            alerts.Add(new DashboardAlert(AlertLevel.Info, "Low-confidence events",
                $"{DisplayFormat.Count(factory.LowConfidenceEvents)} of {DisplayFormat.Count(factory.EventsInWindow)} events are below the confidence threshold and not counted.",
                "/events"));
        }

        return alerts;
    }
}
