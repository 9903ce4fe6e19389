using Factory.Core.Registry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Factory.Web.Endpoints;

/// <summary>Registry maintenance (admin role), through the same <see cref="RegistryEditor"/> as the admin page.</summary>
public static class RegistryAdminEndpoints
{
    public static void MapRegistryAdmin(this RouteGroupBuilder admin)
    {
        admin.MapPost("/admin/workers", CreateWorker).WithName("CreateWorker").WithSummary("Register a worker");
        admin.MapPut("/admin/workers/{id}", UpdateWorker).WithName("UpdateWorker").WithSummary("Change a worker's name, shift or department");
        admin.MapDelete("/admin/workers/{id}", DeleteWorker).WithName("DeleteWorker").WithSummary("Remove a worker that has no events");
        admin.MapPost("/admin/workstations", CreateWorkstation).WithName("CreateWorkstation").WithSummary("Register a workstation");
        admin.MapPut("/admin/workstations/{id}", UpdateWorkstation).WithName("UpdateWorkstation").WithSummary("Change a workstation's name, location or type");
        admin.MapDelete("/admin/workstations/{id}", DeleteWorkstation).WithName("DeleteWorkstation").WithSummary("Remove a workstation that has no events");
    }

    internal static async Task<Results<Created<WorkerDto>, ValidationProblem, Conflict<ProblemDetails>>> CreateWorker(
        [FromBody] WorkerInput? input, RegistryEditor editor, CancellationToken ct)
    {
        var change = await editor.CreateWorkerAsync(new(input?.Id, input?.Name, input?.Shift, input?.Department), ct);
        return change.Outcome switch
        {
            RegistryOutcome.Created => TypedResults.Created($"/api/workers/{change.Entry!.Id}", ToDto(change.Entry)),
            RegistryOutcome.Invalid => Invalid(change),
            _ => Conflict(change, $"PUT /api/admin/workers/{input?.Id}"),
        };
    }

    internal static async Task<Results<Ok<WorkerDto>, ValidationProblem, NotFound<ProblemDetails>>> UpdateWorker(
        string id, [FromBody] WorkerInput? input, RegistryEditor editor, CancellationToken ct)
    {
        var change = await editor.UpdateWorkerAsync(id, new(id, input?.Name, input?.Shift, input?.Department), ct);
        return change.Outcome switch
        {
            RegistryOutcome.Updated => TypedResults.Ok(ToDto(change.Entry!)),
            RegistryOutcome.Invalid => Invalid(change),
            _ => NotFound(change),
        };
    }

    internal static async Task<Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> DeleteWorker(
        string id, RegistryEditor editor, CancellationToken ct) =>
        Deleted(await editor.DeleteWorkerAsync(id, ct));

    internal static async Task<Results<Created<WorkstationDto>, ValidationProblem, Conflict<ProblemDetails>>> CreateWorkstation(
        [FromBody] WorkstationInput? input, RegistryEditor editor, CancellationToken ct)
    {
        var change = await editor.CreateWorkstationAsync(new(input?.Id, input?.Name, input?.Location, input?.Type), ct);
        return change.Outcome switch
        {
            RegistryOutcome.Created => TypedResults.Created($"/api/workstations/{change.Entry!.Id}", ToDto(change.Entry)),
            RegistryOutcome.Invalid => Invalid(change),
            _ => Conflict(change, $"PUT /api/admin/workstations/{input?.Id}"),
        };
    }

    internal static async Task<Results<Ok<WorkstationDto>, ValidationProblem, NotFound<ProblemDetails>>> UpdateWorkstation(
        string id, [FromBody] WorkstationInput? input, RegistryEditor editor, CancellationToken ct)
    {
        var change = await editor.UpdateWorkstationAsync(id, new(id, input?.Name, input?.Location, input?.Type), ct);
        return change.Outcome switch
        {
            RegistryOutcome.Updated => TypedResults.Ok(ToDto(change.Entry!)),
            RegistryOutcome.Invalid => Invalid(change),
            _ => NotFound(change),
        };
    }

    internal static async Task<Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> DeleteWorkstation(
        string id, RegistryEditor editor, CancellationToken ct) =>
        Deleted(await editor.DeleteWorkstationAsync(id, ct));

    internal static WorkerDto ToDto(Worker w) => new(w.Id, w.Name, w.Shift, w.Department);

    internal static WorkstationDto ToDto(Workstation s) => new(s.Id, s.Name, s.Location, s.Type);

    private static Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>> Deleted<T>(RegistryChange<T> change)
        where T : class => change.Outcome switch
        {
            RegistryOutcome.Deleted => TypedResults.NoContent(),
            RegistryOutcome.NotFound => NotFound(change),
            _ => Conflict(change),
        };

    private static ValidationProblem Invalid<T>(RegistryChange<T> change)
        where T : class =>
        TypedResults.ValidationProblem(change.Errors, detail: change.Message);

    private static NotFound<ProblemDetails> NotFound<T>(RegistryChange<T> change)
        where T : class =>
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = change.Message });

    /// <summary>409 with Core's message; <paramref name="change"/>'s API route, when there is one to use instead, is named for API callers.</summary>
    private static Conflict<ProblemDetails> Conflict<T>(RegistryChange<T> change, string? useInstead = null)
        where T : class =>
        TypedResults.Conflict(new ProblemDetails
        {
            Status = 409,
            Title = "Conflict",
            Detail = useInstead is null ? change.Message : $"{change.Message} Use {useInstead} to change it.",
        });
}

/// <summary>Body of worker create/update.</summary>
public sealed record WorkerInput(string? Id, string? Name, string? Shift, string? Department);

/// <summary>Body of workstation create/update.</summary>
public sealed record WorkstationInput(string? Id, string? Name, string? Location, string? Type);
