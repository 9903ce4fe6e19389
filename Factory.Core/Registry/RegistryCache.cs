using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Core.Registry;

/// <summary>
/// An in-memory copy of the registry, so validating an event never touches the database.
/// Admin edits call <see cref="InvalidateAsync"/>.
/// </summary>
public sealed class RegistryCache(IServiceScopeFactory scopes)
{
    private volatile RegistrySnapshot? _snapshot;
    private readonly SemaphoreSlim _loadLock = new(1, 1);

    public async ValueTask<RegistrySnapshot> GetAsync(CancellationToken ct = default)
    {
        if (_snapshot is { } current)
        {
            return current;
        }

        await _loadLock.WaitAsync(ct);
        try
        {
            return _snapshot ??= await LoadAsync(ct);
        }
        finally
        {
            _loadLock.Release();
        }
    }

    public async Task InvalidateAsync(CancellationToken ct = default)
    {
        await _loadLock.WaitAsync(ct);
        try
        {
            _snapshot = await LoadAsync(ct);
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private async Task<RegistrySnapshot> LoadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var workers = await db.Workers.AsNoTracking().OrderBy(w => w.Id).ToListAsync(ct);
        var stations = await db.Workstations.AsNoTracking().OrderBy(s => s.Id).ToListAsync(ct);
        return new RegistrySnapshot(workers, stations);
    }
}

/// <summary>An immutable view of workers and workstations at one moment.</summary>
public sealed class RegistrySnapshot
{
    public RegistrySnapshot(IReadOnlyList<Worker> workers, IReadOnlyList<Workstation> workstations)
    {
        Workers = workers;
        Workstations = workstations;
        WorkersById = workers.ToDictionary(w => w.Id, StringComparer.Ordinal);
        WorkstationsById = workstations.ToDictionary(s => s.Id, StringComparer.Ordinal);
    }

    public IReadOnlyList<Worker> Workers { get; }
    public IReadOnlyList<Workstation> Workstations { get; }
    public IReadOnlyDictionary<string, Worker> WorkersById { get; }
    public IReadOnlyDictionary<string, Workstation> WorkstationsById { get; }
}
