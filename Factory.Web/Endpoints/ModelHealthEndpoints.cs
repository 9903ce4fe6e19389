using Factory.Core.Data;
using Factory.Core.Limits;
using Factory.Core.Metrics;
using Factory.Core.ModelHealth;
using Factory.Core.Time;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Factory.Web.Security;

namespace Factory.Web.Endpoints;

/// <summary>Model health reads (viewer) and model exclusions (admin).</summary>
public static class ModelHealthEndpoints
{
    public static void MapModelHealthReads(this RouteGroupBuilder viewer)
    {
        viewer = viewer.MapGroup("").HeavyRead();
        viewer.MapGet("/metrics/model-health", GetHealth).WithName("GetModelHealth")
            .WithSummary("Status and mean confidence of the latest events, per camera and model version, and active alerts");
        viewer.MapGet("/metrics/model-health/trend", GetTrend).WithName("GetConfidenceTrend")
            .WithSummary("Mean confidence per model version per day or hour");
        viewer.MapGet("/metrics/model-health/heatmap", GetHeatmap).WithName("GetConfidenceHeatmap")
            .WithSummary("Mean confidence per camera per hour");
        viewer.MapGet("/metrics/model-distribution", GetDistribution).WithName("GetModelDistribution")
            .WithSummary("Events per model version over the last `days` days");
    }

    public static void MapModelExclusions(this RouteGroupBuilder admin)
    {
        admin.MapGet("/admin/model-exclusions", List).WithName("GetModelExclusions").WithSummary("Model versions left out of productivity metrics");
        admin.MapPost("/admin/model-exclusions", Add).WithName("AddModelExclusion").WithSummary("Leave a model version out of every productivity metric (rollback)");
        admin.MapDelete("/admin/model-exclusions/{model_version}", Remove).WithName("RemoveModelExclusion").WithSummary("Count a model version again");
    }

    internal static async Task<Ok<ModelHealthReport>> GetHealth(ModelHealthService health, CancellationToken ct) =>
        TypedResults.Ok(await health.GetReportAsync(ct));

    internal static async Task<Results<Ok<IReadOnlyList<ConfidenceTrendPoint>>, ValidationProblem>> GetTrend(
        ModelHealthService health, IOptions<FactoryOptions> factory, QueryLimits limits, string? days, string? bucket, CancellationToken ct)
    {
        var query = new QueryParameters();
        var d = Days(query, limits, nameof(days), days, 7);
        var hourly = bucket switch
        {
            null or "day" => false,
            "hour" => true,
            _ => Invalid(query, nameof(bucket), "Must be 'hour' or 'day'."),
        };
        if (query.IsValid && limits.CheckBuckets(DateTime.UnixEpoch, DateTime.UnixEpoch.AddDays(d), hourly ? BucketSize.Hour : BucketSize.Day) is { } tooMany)
        {
            query.Add(nameof(bucket), tooMany);
        }

        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        return TypedResults.Ok(await health.TrendAsync(d, hourly, factory.Value.Zone, ct));
    }

    internal static async Task<Results<Ok<IReadOnlyList<HeatmapCell>>, ValidationProblem>> GetHeatmap(ModelHealthService health, QueryLimits limits, string? hours, CancellationToken ct)
    {
        var query = new QueryParameters();
        var h = query.Int(nameof(hours), hours, 24, 1, Math.Min(168, (int)Math.Floor(limits.MaxWindow.TotalHours)));
        return query.IsValid ? TypedResults.Ok(await health.HeatmapAsync(h, ct)) : (ValidationProblem)query.Problem();
    }

    internal static async Task<Results<Ok<IReadOnlyDictionary<string, ModelShare>>, ValidationProblem>> GetDistribution(ModelHealthService health, QueryLimits limits, string? days, CancellationToken ct)
    {
        var query = new QueryParameters();
        var d = Days(query, limits, nameof(days), days, 30);
        return query.IsValid ? TypedResults.Ok(await health.DistributionAsync(d, ct)) : (ValidationProblem)query.Problem();
    }

    internal static async Task<Ok<IReadOnlyList<ModelExclusion>>> List(ModelExclusions exclusions, CancellationToken ct) =>
        TypedResults.Ok(await exclusions.ListAsync(ct));

    internal static async Task<Results<Created<ModelExclusionRequest>, Ok<ModelExclusionRequest>, ValidationProblem>> Add(
        ModelExclusions exclusions, [FromBody] ModelExclusionRequest? request, CancellationToken ct)
    {
        var version = request?.ModelVersion?.Trim();
        if (string.IsNullOrEmpty(version) || version.Length > 64)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["model_version"] = ["Is required: the model version to exclude, 1 to 64 characters."] },
                detail: "model_version: is required (1 to 64 characters).");
        }

        var added = await exclusions.AddAsync(version, request!.Reason, ct);
        var body = new ModelExclusionRequest(version, request.Reason);
        return added
            ? TypedResults.Created($"/api/admin/model-exclusions/{Uri.EscapeDataString(version)}", body)
            : TypedResults.Ok(body);
    }

    internal static async Task<Results<NoContent, NotFound<ProblemDetails>>> Remove(ModelExclusions exclusions, string model_version, CancellationToken ct) =>
        await exclusions.RemoveAsync(model_version, ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"Model version '{model_version}' is not excluded." });

    /// <summary>A number of days back from now: 1 to the whole days of <c>Limits:MaxWindow</c>, and an error naming that limit beyond it.</summary>
    private static int Days(QueryParameters query, QueryLimits limits, string name, string? value, int fallback)
    {
        var max = limits.MaxDays;
        if (value is null)
        {
            return Math.Min(fallback, max);
        }

        if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) || days < 1)
        {
            query.Add(name, $"Must be a whole number of days from 1 to {max} (Limits:MaxWindow).");
            return fallback;
        }

        if (days > max)
        {
            query.Add(name, $"Must be at most {max}: a read reaches back at most {QueryLimits.Describe(limits.MaxWindow)} (Limits:MaxWindow).");
        }

        return days;
    }

    private static bool Invalid(QueryParameters query, string name, string message)
    {
        query.Add(name, message);
        return false;
    }
}

/// <summary>Body of <c>POST /api/admin/model-exclusions</c>.</summary>
public sealed record ModelExclusionRequest(string? ModelVersion, string? Reason = null);
