using Factory.Web.Endpoints;
using Factory.Web.Security;

namespace Factory.Web.Extensions;

/// <summary>The API, grouped by the role that may call it, so that authorization is applied per group.</summary>
public static class EndpointExtensions
{
    public static FactoryEndpointGroups MapFactoryEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api").RequireRateLimiting(SecurityExtensions.RateLimitPolicy).RequireCors(SecurityExtensions.CorsPolicy);
        var viewer = api.MapGroup("").WithTags("Reads");
        if (SecurityExtensions.ViewerRequired(app.Services))
        {
            viewer.RequireAuthorization(SecurityExtensions.ViewerPolicy);
        }

        var groups = new FactoryEndpointGroups(
            Camera: api.MapGroup("").WithTags("Ingestion").RequireAuthorization(SecurityExtensions.CameraPolicy),
            Viewer: viewer,
            Admin: api.MapGroup("").WithTags("Administration").RequireAuthorization(SecurityExtensions.AdminPolicy));

        groups.Camera.MapEventIngestion();
        groups.Viewer.MapEventReads();
        groups.Viewer.MapRegistryReads();
        groups.Viewer.MapMetricsReads();
        groups.Viewer.MapModelHealthReads();
        groups.Admin.MapModelExclusions();
        groups.Admin.MapRegistryAdmin();
        groups.Admin.MapSeeding();
        groups.Viewer.MapExports();
        groups.Viewer.MapDataQualityReads();
        groups.Viewer.MapShiftReads();
        groups.Admin.MapShiftAdmin();
        groups.Viewer.MapAlertReads();
        groups.Admin.MapAlertAdmin();
        api.MapGroup("").RequireAuthorization(Factory.Web.Alerts.AlertAcknowledgers.Policy).MapAlertAcknowledge();
        groups.Viewer.MapAntiforgeryToken();

        // Anything else under /api is a ProblemDetails 404 (or 405/415), not the dashboard's page.
        api.MapFallback(ApiFallback.Handle).ExcludeFromDescription();
        return groups;
    }
}

/// <summary>Route groups per role: camera (ingestion), viewer (reads), admin.</summary>
public sealed record FactoryEndpointGroups(RouteGroupBuilder Camera, RouteGroupBuilder Viewer, RouteGroupBuilder Admin);
