using System.Text.RegularExpressions;
using Factory.Core.Data;
using Factory.Core.Registry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Factory.Web.Endpoints;

/// <summary>Registry maintenance (admin role). Ids are immutable; a worker or station with events cannot be deleted.</summary>
public static partial class RegistryAdminEndpoints
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex IdPattern();

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
        [FromBody] WorkerInput? input, FactoryDbContext db, RegistryCache registry, TimeProvider time, CancellationToken ct)
    {
        var errors = Validate(input?.Id, input?.Name, requireId: true);
        if (errors.Count > 0)
        {
            return Problem(errors);
        }

        if (await db.Workers.AnyAsync(w => w.Id == input!.Id, ct))
        {
            return Conflict($"Worker '{input!.Id}' already exists; use PUT /api/admin/workers/{input.Id} to change it.");
        }

        var worker = new Worker { Id = input!.Id!, Name = input.Name!.Trim(), Shift = input.Shift ?? "morning", Department = input.Department ?? "assembly", CreatedAt = time.GetUtcNow().UtcDateTime };
        db.Workers.Add(worker);
        await db.SaveChangesAsync(ct);
        await registry.InvalidateAsync(ct);
        return TypedResults.Created($"/api/workers/{worker.Id}", new WorkerDto(worker.Id, worker.Name, worker.Shift, worker.Department));
    }

    internal static async Task<Results<Ok<WorkerDto>, ValidationProblem, NotFound<ProblemDetails>>> UpdateWorker(
        string id, [FromBody] WorkerInput? input, FactoryDbContext db, RegistryCache registry, CancellationToken ct)
    {
        var errors = Validate(id, input?.Name, requireId: false);
        if (errors.Count > 0)
        {
            return Problem(errors);
        }

        var worker = await db.Workers.FirstOrDefaultAsync(w => w.Id == id, ct);
        if (worker is null)
        {
            return NotFound($"No worker has id '{id}'.");
        }

        worker.Name = input!.Name!.Trim();
        worker.Shift = input.Shift ?? worker.Shift;
        worker.Department = input.Department ?? worker.Department;
        await db.SaveChangesAsync(ct);
        await registry.InvalidateAsync(ct);
        return TypedResults.Ok(new WorkerDto(worker.Id, worker.Name, worker.Shift, worker.Department));
    }

    internal static async Task<Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> DeleteWorker(
        string id, FactoryDbContext db, RegistryCache registry, CancellationToken ct)
    {
        if (!await db.Workers.AnyAsync(w => w.Id == id, ct))
        {
            return NotFound($"No worker has id '{id}'.");
        }

        if (await db.Events.AnyAsync(e => e.WorkerId == id, ct))
        {
            return Conflict($"Worker '{id}' has stored events; their history would lose its name. Rename the worker instead.");
        }

        await db.Workers.Where(w => w.Id == id).ExecuteDeleteAsync(ct);
        await registry.InvalidateAsync(ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Created<WorkstationDto>, ValidationProblem, Conflict<ProblemDetails>>> CreateWorkstation(
        [FromBody] WorkstationInput? input, FactoryDbContext db, RegistryCache registry, TimeProvider time, CancellationToken ct)
    {
        var errors = Validate(input?.Id, input?.Name, requireId: true);
        if (errors.Count > 0)
        {
            return Problem(errors);
        }

        if (await db.Workstations.AnyAsync(s => s.Id == input!.Id, ct))
        {
            return Conflict($"Workstation '{input!.Id}' already exists; use PUT /api/admin/workstations/{input.Id} to change it.");
        }

        var station = new Workstation { Id = input!.Id!, Name = input.Name!.Trim(), Location = input.Location ?? "", Type = input.Type ?? "assembly", CreatedAt = time.GetUtcNow().UtcDateTime };
        db.Workstations.Add(station);
        await db.SaveChangesAsync(ct);
        await registry.InvalidateAsync(ct);
        return TypedResults.Created($"/api/workstations/{station.Id}", new WorkstationDto(station.Id, station.Name, station.Location, station.Type));
    }

    internal static async Task<Results<Ok<WorkstationDto>, ValidationProblem, NotFound<ProblemDetails>>> UpdateWorkstation(
        string id, [FromBody] WorkstationInput? input, FactoryDbContext db, RegistryCache registry, CancellationToken ct)
    {
        var errors = Validate(id, input?.Name, requireId: false);
        if (errors.Count > 0)
        {
            return Problem(errors);
        }

        var station = await db.Workstations.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (station is null)
        {
            return NotFound($"No workstation has id '{id}'.");
        }

        station.Name = input!.Name!.Trim();
        station.Location = input.Location ?? station.Location;
        station.Type = input.Type ?? station.Type;
        await db.SaveChangesAsync(ct);
        await registry.InvalidateAsync(ct);
        return TypedResults.Ok(new WorkstationDto(station.Id, station.Name, station.Location, station.Type));
    }

    internal static async Task<Results<NoContent, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> DeleteWorkstation(
        string id, FactoryDbContext db, RegistryCache registry, CancellationToken ct)
    {
        if (!await db.Workstations.AnyAsync(s => s.Id == id, ct))
        {
            return NotFound($"No workstation has id '{id}'.");
        }

        if (await db.Events.AnyAsync(e => e.WorkstationId == id, ct))
        {
            return Conflict($"Workstation '{id}' has stored events; rename it instead.");
        }

        await db.Workstations.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
        await registry.InvalidateAsync(ct);
        return TypedResults.NoContent();
    }

    private static Dictionary<string, string[]> Validate(string? id, string? name, bool requireId)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (requireId && (id is null || !IdPattern().IsMatch(id)))
        {
            errors["id"] = ["Is required: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 200)
        {
            errors["name"] = ["Is required: 1 to 200 characters."];
        }

        return errors;
    }

    private static ValidationProblem Problem(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

    private static NotFound<ProblemDetails> NotFound(string detail) =>
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = detail });

    private static Conflict<ProblemDetails> Conflict(string detail) =>
        TypedResults.Conflict(new ProblemDetails { Status = 409, Title = "Conflict", Detail = detail });
}

/// <summary>Body of worker create/update.</summary>
public sealed record WorkerInput(string? Id, string? Name, string? Shift, string? Department);

/// <summary>Body of workstation create/update.</summary>
public sealed record WorkstationInput(string? Id, string? Name, string? Location, string? Type);
