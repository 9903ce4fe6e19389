using System.Text.Json.Serialization;

namespace Factory.Core.ModelHealth;

/// <summary>Health of the vision models as a supervisor reads it (serialised as the reference system did: "Healthy").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HealthStatus>))]
public enum HealthStatus
{
    Healthy,
    Warning,
    Critical,
}

/// <summary>The figures of <c>GET /api/metrics/model-health</c>.</summary>
public sealed record ModelHealthReport(
    HealthStatus Status,
    double AvgConfidence,
    int Samples,
    string Message,
    DateTime EvaluatedAt,
    IReadOnlyList<CameraHealth> Cameras,
    IReadOnlyList<ModelVersionHealth> Models,
    IReadOnlyList<ModelAlert> Alerts);

/// <summary>One camera over the per-camera window.</summary>
public sealed record CameraHealth(
    string CameraId,
    double AvgConfidence,
    long Samples,
    double LowConfidenceShare,
    DateTime? LastEvent,
    bool Offline,
    HealthStatus Status);

/// <summary>One model version over the per-camera window.</summary>
public sealed record ModelVersionHealth(string ModelVersion, double AvgConfidence, long Samples, double LowConfidenceShare);

/// <summary>What an alert is about.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AlertKind>))]
public enum AlertKind
{
    [JsonStringEnumMemberName("critical_average")]
    CriticalAverage,

    [JsonStringEnumMemberName("confidence_drop")]
    ConfidenceDrop,

    [JsonStringEnumMemberName("camera_silent")]
    CameraSilent,
}

/// <summary>An active condition; it carries when it started and clears itself when the condition ends.</summary>
public sealed record ModelAlert(string Id, AlertKind Kind, HealthStatus Severity, string? CameraId, string Message, DateTime StartedAt);

/// <summary>Mean confidence of one model version in one bucket.</summary>
public sealed record ConfidenceTrendPoint(DateTime Start, string ModelVersion, double AvgConfidence, long Samples);

/// <summary>Mean confidence of one camera in one hour.</summary>
public sealed record HeatmapCell(string CameraId, DateTime Hour, double AvgConfidence, long Samples);

/// <summary>Events of one model version over a period.</summary>
public sealed record ModelShare(long Count, double Pct);
