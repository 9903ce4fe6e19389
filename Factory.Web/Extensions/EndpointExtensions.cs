using Factory.Web.Endpoints;

namespace Factory.Web.Extensions;

/// <summary>The API, grouped by the role that may call it, so that authorization is applied per group.</summary>
public static class EndpointExtensions
{
    public static FactoryEndpointGroups MapFactoryEndpoints(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        var groups = new FactoryEndpointGroups(
            Camera: api.MapGroup("").WithTags("Ingestion"),
            Viewer: api.MapGroup("").WithTags("Reads"),
            Admin: api.MapGroup("").WithTags("Administration"));

        groups.Camera.MapEventIngestion();
        groups.Viewer.MapEventReads();
        groups.Viewer.MapRegistryReads();
        groups.Viewer.MapMetricsReads();

        // Anything else under /api is a ProblemDetails 404, not the dashboard's page.
        api.MapFallback(() => TypedResults.Problem("No API endpoint at this path; see /docs for the list.", statusCode: StatusCodes.Status404NotFound, title: "Not found"))
            .ExcludeFromDescription();
        return groups;
    }
}

/// <summary>Route groups per role: camera (ingestion), viewer (reads), admin.</summary>
public sealed record FactoryEndpointGroups(RouteGroupBuilder Camera, RouteGroupBuilder Viewer, RouteGroupBuilder Admin);
