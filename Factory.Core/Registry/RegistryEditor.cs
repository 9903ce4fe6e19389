using System.Linq.Expressions;
using System.Text.RegularExpressions;
using Factory.Core.Data;
using Factory.Core.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Core.Registry;

/// <summary>How a registry change ended.</summary>
public enum RegistryOutcome
{
    Created,
    Updated,
    Deleted,
    Invalid,
    NotFound,
    Conflict,
}

/// <summary>The result of a registry change: the entry as stored, or what is wrong (field errors or a message).</summary>
public sealed record RegistryChange<T>(RegistryOutcome Outcome, T? Entry, IReadOnlyDictionary<string, string[]> Errors, string? Message)
    where T : class
{
    public bool Succeeded => Outcome is RegistryOutcome.Created or RegistryOutcome.Updated or RegistryOutcome.Deleted;

    internal static RegistryChange<T> Done(RegistryOutcome outcome, T? entry) => new(outcome, entry, NoErrors, null);

    internal static RegistryChange<T> Failed(RegistryOutcome outcome, string message) => new(outcome, null, NoErrors, message);

    internal static RegistryChange<T> Invalid(Dictionary<string, string[]> errors) =>
        new(RegistryOutcome.Invalid, null, errors, string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();
}

/// <summary>Fields of a worker create or update; null keeps the current value on update.</summary>
public sealed record WorkerFields(string? Id, string? Name, string? Shift, string? Department);

/// <summary>Fields of a workstation create or update; null keeps the current value on update.</summary>
public sealed record WorkstationFields(string? Id, string? Name, string? Location, string? Type);

/// <summary>
/// Registry maintenance shared by the admin API and the admin page. Ids are immutable; an entry with
/// stored events cannot be deleted (its history would lose its name). Every change refreshes the
/// <see cref="RegistryCache"/>.
/// </summary>
public sealed partial class RegistryEditor(IServiceScopeFactory scopes, RegistryCache registry, TimeProvider time)
{
    private const int MaxText = 200;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex IdPattern();

    public Task<RegistryChange<Worker>> CreateWorkerAsync(WorkerFields fields, CancellationToken ct = default) =>
        CreateAsync("Worker", fields.Id, fields.Name, [("shift", fields.Shift), ("department", fields.Department)], () => new Worker
        {
            Id = fields.Id!,
            Name = fields.Name!.Trim(),
            Shift = Clean(fields.Shift) ?? "morning",
            Department = Clean(fields.Department) ?? "assembly",
            CreatedAt = time.GetUtcNow().UtcDateTime,
        }, ct);

    public Task<RegistryChange<Worker>> UpdateWorkerAsync(string id, WorkerFields fields, CancellationToken ct = default) =>
        UpdateAsync<Worker>("Worker", id, fields.Name, [("shift", fields.Shift), ("department", fields.Department)], w =>
        {
            w.Shift = Clean(fields.Shift) ?? w.Shift;
            w.Department = Clean(fields.Department) ?? w.Department;
        }, ct);

    public Task<RegistryChange<Worker>> DeleteWorkerAsync(string id, CancellationToken ct = default) =>
        DeleteAsync<Worker>("Worker", id, e => e.WorkerId == id, "Rename the worker instead.", ct);

    public Task<RegistryChange<Workstation>> CreateWorkstationAsync(WorkstationFields fields, CancellationToken ct = default) =>
        CreateAsync("Workstation", fields.Id, fields.Name, [("location", fields.Location), ("type", fields.Type)], () => new Workstation
        {
            Id = fields.Id!,
            Name = fields.Name!.Trim(),
            Location = fields.Location?.Trim() ?? "",
            Type = Clean(fields.Type) ?? "assembly",
            CreatedAt = time.GetUtcNow().UtcDateTime,
        }, ct);

    public Task<RegistryChange<Workstation>> UpdateWorkstationAsync(string id, WorkstationFields fields, CancellationToken ct = default) =>
        UpdateAsync<Workstation>("Workstation", id, fields.Name, [("location", fields.Location), ("type", fields.Type)], s =>
        {
            s.Location = fields.Location?.Trim() ?? s.Location;
            s.Type = Clean(fields.Type) ?? s.Type;
        }, ct);

    public Task<RegistryChange<Workstation>> DeleteWorkstationAsync(string id, CancellationToken ct = default) =>
        DeleteAsync<Workstation>("Workstation", id, e => e.WorkstationId == id, "Rename it instead.", ct);

    private async Task<RegistryChange<T>> CreateAsync<T>(
        string kind, string? id, string? name, (string Field, string? Value)[] texts, Func<T> build, CancellationToken ct)
        where T : class, IRegistryEntry
    {
        var errors = Validate(id, name, texts, requireId: true);
        if (errors.Count > 0)
        {
            return RegistryChange<T>.Invalid(errors);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        if (await db.Set<T>().AnyAsync(e => e.Id == id, ct))
        {
            return RegistryChange<T>.Failed(RegistryOutcome.Conflict, $"{kind} '{id}' already exists; change it instead of adding it again.");
        }

        var entry = build();
        db.Set<T>().Add(entry);
        await db.SaveChangesAsync(ct);
        await registry.InvalidateAsync(ct);
        return RegistryChange<T>.Done(RegistryOutcome.Created, entry);
    }

    private async Task<RegistryChange<T>> UpdateAsync<T>(
        string kind, string id, string? name, (string Field, string? Value)[] texts, Action<T> apply, CancellationToken ct)
        where T : class, IRegistryEntry
    {
        var errors = Validate(id, name, texts, requireId: false);
        if (errors.Count > 0)
        {
            return RegistryChange<T>.Invalid(errors);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var entry = await db.Set<T>().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (entry is null)
        {
            return RegistryChange<T>.Failed(RegistryOutcome.NotFound, $"No {kind.ToLowerInvariant()} has id '{id}'.");
        }

        entry.Name = name!.Trim();
        apply(entry);
        await db.SaveChangesAsync(ct);
        await registry.InvalidateAsync(ct);
        return RegistryChange<T>.Done(RegistryOutcome.Updated, entry);
    }

    private async Task<RegistryChange<T>> DeleteAsync<T>(
        string kind, string id, Expression<Func<FactoryEvent, bool>> usedBy, string advice, CancellationToken ct)
        where T : class, IRegistryEntry
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        if (!await db.Set<T>().AnyAsync(e => e.Id == id, ct))
        {
            return RegistryChange<T>.Failed(RegistryOutcome.NotFound, $"No {kind.ToLowerInvariant()} has id '{id}'.");
        }

        if (await db.Events.AnyAsync(usedBy, ct))
        {
            return RegistryChange<T>.Failed(RegistryOutcome.Conflict, $"{kind} '{id}' has stored events; their history would lose its name. {advice}");
        }

        await db.Set<T>().Where(e => e.Id == id).ExecuteDeleteAsync(ct);
        await registry.InvalidateAsync(ct);
        return RegistryChange<T>.Done(RegistryOutcome.Deleted, null);
    }

    private static Dictionary<string, string[]> Validate(string? id, string? name, (string Field, string? Value)[] texts, bool requireId)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (requireId && (id is null || !IdPattern().IsMatch(id)))
        {
            errors["id"] = ["Is required: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxText)
        {
            errors["name"] = [$"Is required: 1 to {MaxText} characters."];
        }

        foreach (var (field, value) in texts)
        {
            if (value is not null && value.Length > MaxText)
            {
                errors[field] = [$"At most {MaxText} characters."];
            }
        }

        return errors;
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
