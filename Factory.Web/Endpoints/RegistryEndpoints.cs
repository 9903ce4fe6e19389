using Factory.Core.Registry;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Factory.Web.Endpoints;

/// <summary>The worker and workstation registry (viewer role).</summary>
public static class RegistryEndpoints
{
    public static void MapRegistryReads(this RouteGroupBuilder viewer)
    {
        viewer.MapGet("/workers", GetWorkers).WithName("GetWorkers").WithSummary("Registered workers");
        viewer.MapGet("/workstations", GetWorkstations).WithName("GetWorkstations").WithSummary("Registered workstations");
    }

    internal static async Task<Ok<List<WorkerDto>>> GetWorkers(RegistryCache registry, CancellationToken ct) =>
        TypedResults.Ok((await registry.GetAsync(ct)).Workers.Select(RegistryAdminEndpoints.ToDto).ToList());

    internal static async Task<Ok<List<WorkstationDto>>> GetWorkstations(RegistryCache registry, CancellationToken ct) =>
        TypedResults.Ok((await registry.GetAsync(ct)).Workstations.Select(RegistryAdminEndpoints.ToDto).ToList());
}

public sealed record WorkerDto(string Id, string Name, string Shift, string Department);

/// <summary>A workstation; <c>cameras</c> are the cameras named as watching it (empty: inferred from their events).</summary>
public sealed record WorkstationDto(string Id, string Name, string Location, string Type, IReadOnlyList<string> Cameras);
