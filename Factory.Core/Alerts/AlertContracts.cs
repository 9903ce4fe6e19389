using System.Text.Json.Serialization;

namespace Factory.Core.Alerts;

/// <summary>What an alert rule watches. Each kind has one measured value and one fixed comparison (see the README, Alerts).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertRuleKind>))]
public enum AlertRuleKind
{
    /// <summary>Working share of occupied time over the trailing hour, in percent; fires below the threshold.</summary>
    [JsonStringEnumMemberName("station_utilization")]
    StationUtilization,

    /// <summary>Length of a worker's current unbroken idle stretch, in minutes; fires at or above the threshold.</summary>
    [JsonStringEnumMemberName("worker_idle_stretch")]
    WorkerIdleStretch,

    /// <summary>Workers working or idle at a station that was staffed this shift; fires below the threshold.</summary>
    [JsonStringEnumMemberName("station_unstaffed")]
    StationUnstaffed,

    /// <summary>Units per working hour over the trailing hour; fires below the threshold (the target).</summary>
    [JsonStringEnumMemberName("units_per_hour")]
    UnitsPerHour,

    /// <summary>Mean confidence of the events of the trailing hour; fires below the threshold.</summary>
    [JsonStringEnumMemberName("model_confidence")]
    ModelConfidence,

    /// <summary>Minutes a camera has been silent while it is expected to report; fires at or above the threshold.</summary>
    [JsonStringEnumMemberName("camera_silent")]
    CameraSilent,

    /// <summary>Share of the trailing hour's received events that arrived late, in percent; fires above the threshold.</summary>
    [JsonStringEnumMemberName("late_events_share")]
    LateEventsShare,
}

/// <summary>What a rule applies to: the whole factory, or workstations, workers or cameras (all, or one by id).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertScope>))]
public enum AlertScope
{
    [JsonStringEnumMemberName("factory")]
    Factory,

    [JsonStringEnumMemberName("workstation")]
    Workstation,

    [JsonStringEnumMemberName("worker")]
    Worker,

    [JsonStringEnumMemberName("camera")]
    Camera,
}

/// <summary>How urgent an alert is; escalation raises it one step.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertSeverity>))]
public enum AlertSeverity
{
    [JsonStringEnumMemberName("info")]
    Info,

    [JsonStringEnumMemberName("warning")]
    Warning,

    [JsonStringEnumMemberName("critical")]
    Critical,
}

/// <summary>Where an alert is in its life: open, acknowledged by someone, resolved when its condition cleared.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertState>))]
public enum AlertState
{
    [JsonStringEnumMemberName("open")]
    Open,

    [JsonStringEnumMemberName("acknowledged")]
    Acknowledged,

    [JsonStringEnumMemberName("resolved")]
    Resolved,
}

/// <summary>Where a notification stands in the outbox.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeliveryStatus>))]
public enum DeliveryStatus
{
    [JsonStringEnumMemberName("pending")]
    Pending,

    [JsonStringEnumMemberName("delivered")]
    Delivered,

    [JsonStringEnumMemberName("failed")]
    Failed,
}

/// <summary>What happened to an alert that a notification tells.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertChange>))]
public enum AlertChange
{
    [JsonStringEnumMemberName("opened")]
    Opened,

    [JsonStringEnumMemberName("escalated")]
    Escalated,

    [JsonStringEnumMemberName("acknowledged")]
    Acknowledged,

    [JsonStringEnumMemberName("resolved")]
    Resolved,
}

/// <summary>Wire names of the enums (snake_case), as the API writes and reads them.</summary>
public static class AlertNames
{
    public static string Of(AlertRuleKind kind) => kind switch
    {
        AlertRuleKind.StationUtilization => "station_utilization",
        AlertRuleKind.WorkerIdleStretch => "worker_idle_stretch",
        AlertRuleKind.StationUnstaffed => "station_unstaffed",
        AlertRuleKind.UnitsPerHour => "units_per_hour",
        AlertRuleKind.ModelConfidence => "model_confidence",
        AlertRuleKind.CameraSilent => "camera_silent",
        _ => "late_events_share",
    };

    public static string Of(AlertScope scope) => scope.ToString().ToLowerInvariant();

    public static string Of(AlertSeverity severity) => severity.ToString().ToLowerInvariant();

    public static string Of(AlertState state) => state.ToString().ToLowerInvariant();

    public static string Of(DeliveryStatus status) => status.ToString().ToLowerInvariant();

    public static string Of(AlertChange change) => change.ToString().ToLowerInvariant();

    public static IReadOnlyList<string> Kinds { get; } = Enum.GetValues<AlertRuleKind>().Select(Of).ToList();

    public static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        foreach (var candidate in Enum.GetValues<T>())
        {
            var name = candidate switch
            {
                AlertRuleKind k => Of(k),
                _ => candidate.ToString().ToLowerInvariant(),
            };
            if (string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        return false;
    }

    public static IReadOnlyList<string> All<T>()
        where T : struct, Enum =>
        Enum.GetValues<T>().Select(v => v switch { AlertRuleKind k => Of(k), _ => v.ToString().ToLowerInvariant() }).ToList();
}
