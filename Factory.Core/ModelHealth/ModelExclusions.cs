using System.Collections.Immutable;
using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Core.ModelHealth;

/// <summary>
/// Model versions an admin has left out of productivity metrics (a rollback). Current configuration,
/// not history: an exclusion applies to every window, past ones included, from the moment it is made.
/// </summary>
public sealed class ModelExclusions(IServiceScopeFactory scopes, TimeProvider time)
{
    private volatile ImmutableHashSet<string>? _current;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Raised after the set changed, with the new set.</summary>
    public event Action<ImmutableHashSet<string>>? Changed;

    public async ValueTask<ImmutableHashSet<string>> GetAsync(CancellationToken ct = default) => _current ?? await LoadAsync(ct);

    public async Task<IReadOnlyList<ModelExclusion>> ListAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        return await db.ModelExclusions.AsNoTracking().OrderBy(x => x.ModelVersion).ToListAsync(ct);
    }

    /// <summary>Excludes a version; false when it already was.</summary>
    public async Task<bool> AddAsync(string modelVersion, string? reason, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        if (await db.ModelExclusions.AnyAsync(x => x.ModelVersion == modelVersion, ct))
        {
            return false;
        }

        db.ModelExclusions.Add(new ModelExclusion { ModelVersion = modelVersion, Reason = reason, CreatedAt = time.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        await ReloadAndNotifyAsync(ct);
        return true;
    }

    /// <summary>Restores a version; false when it was not excluded.</summary>
    public async Task<bool> RemoveAsync(string modelVersion, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var removed = await db.ModelExclusions.Where(x => x.ModelVersion == modelVersion).ExecuteDeleteAsync(ct);
        if (removed > 0)
        {
            await ReloadAndNotifyAsync(ct);
        }

        return removed > 0;
    }

    private async Task ReloadAndNotifyAsync(CancellationToken ct)
    {
        _current = null;
        var set = await LoadAsync(ct);
        Changed?.Invoke(set);
    }

    private async Task<ImmutableHashSet<string>> LoadAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_current is { } loaded)
            {
                return loaded;
            }

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            var versions = await db.ModelExclusions.AsNoTracking().Select(x => x.ModelVersion).ToListAsync(ct);
            return _current = versions.ToImmutableHashSet(StringComparer.Ordinal);
        }
        finally
        {
            _gate.Release();
        }
    }
}
