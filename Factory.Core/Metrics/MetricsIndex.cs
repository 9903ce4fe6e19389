using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.Metrics;

/// <summary>
/// The fast path: a long-lived <see cref="MetricsStore"/> with hourly rollups, loaded from the database
/// once and kept current by the single writer (it is an <see cref="ICommitObserver"/>, so an acknowledged
/// event is already in it). A change of the model exclusions rebuilds it; events committed while it
/// loads are buffered and applied afterwards in receive order.
/// </summary>
public sealed partial class MetricsIndex(IServiceScopeFactory scopes, IOptions<MetricsOptions> options, ILogger<MetricsIndex> logger)
    : ICommitObserver, IEventsClearedObserver, IHostedService
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private MetricsStore? _store;
    private List<FactoryEvent>? _pending;

    public MetricsOptions Options => options.Value;

    public void OnCommitted(IReadOnlyList<FactoryEvent> stored)
    {
        lock (_gate)
        {
            _pending?.AddRange(stored);
            if (_store is { } store)
            {
                // Rollups of the touched hours are recomputed by the next query that needs them, not here:
                // the writer answers its callers after this returns, and one query after many commits
                // recomputes each touched hour once.
                foreach (var e in stored)
                {
                    store.Add(e);
                }
            }
        }
    }

    /// <summary>Events were deleted in bulk: drop the index; the next query rebuilds it from the database.</summary>
    public Task OnEventsClearedAsync(long deleted, CancellationToken ct)
    {
        lock (_gate)
        {
            _store = null;
            _pending = null;
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Runs <paramref name="query"/> on the store built with exactly these exclusions (building it if needed),
    /// or returns null when the caller must take the naive path (events received after <paramref name="asOfTicks"/>).
    /// </summary>
    public async Task<(bool Used, T Result)> TryQueryAsync<T>(IReadOnlyCollection<string> exclusions, long asOfTicks, Func<MetricsStore, T> query, CancellationToken ct)
    {
        var store = await GetStoreAsync(exclusions, ct);
        lock (_gate)
        {
            if (!ReferenceEquals(store, _store) || store.MaxReceivedTicks > asOfTicks)
            {
                return (false, default!);
            }

            return (true, query(store));
        }
    }

    private async Task<MetricsStore> GetStoreAsync(IReadOnlyCollection<string> exclusions, CancellationToken ct)
    {
        var current = Volatile.Read(ref _store);
        if (current is not null && current.Rules.SameExclusions(exclusions))
        {
            return current;
        }

        await _loadLock.WaitAsync(ct);
        try
        {
            current = Volatile.Read(ref _store);
            if (current is not null && current.Rules.SameExclusions(exclusions))
            {
                return current;
            }

            return await LoadAsync(new MetricRules(options.Value, exclusions), CancellationToken.None);
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private async Task<MetricsStore> LoadAsync(MetricRules rules, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        lock (_gate)
        {
            _store = null;
            _pending = [];
        }

        var store = new MetricsStore(rules, useRollups: true);
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            await ReadAllAsync(db, store, ct);
        }

        lock (_gate)
        {
            var loadedUpTo = store.MaxId;
            foreach (var e in _pending!.OrderBy(e => e.Id))
            {
                if (e.Id > loadedUpTo)
                {
                    store.Add(e);
                }
            }

            store.FlushRollups();
            _pending = null;
            _store = store;
        }

        LogLoaded(store.MaxId, store.RollupHourCount, started.ElapsedMilliseconds);
        return store;
    }

    /// <summary>Streams every stored event in id order into <paramref name="store"/> with one raw query.</summary>
    internal static async Task ReadAllAsync(FactoryDbContext db, MetricsStore store, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await connection.OpenAsync(ct);
        }

        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText =
                "SELECT id, \"timestamp\", received_at, worker_id, workstation_id, event_type, confidence, count, model_version FROM events ORDER BY id";
            await using var reader = await command.ExecuteReaderAsync(ct);
            var strings = new Dictionary<string, string>(StringComparer.Ordinal);
            bool? dateTimes = null;
            while (await reader.ReadAsync(ct))
            {
                // SQLite stores UTC ticks, PostgreSQL timestamps: the same for every row of the result.
                dateTimes ??= reader.GetFieldType(1) == typeof(DateTime);
                store.Add(
                    reader.GetInt64(0),
                    dateTimes.Value ? reader.GetDateTime(1).Ticks : reader.GetInt64(1),
                    dateTimes.Value ? reader.GetDateTime(2).Ticks : reader.GetInt64(2),
                    Intern(strings, reader.GetString(3)),
                    Intern(strings, reader.GetString(4)),
                    (EventType)reader.GetInt32(5),
                    reader.GetDouble(6),
                    reader.GetInt32(7),
                    reader.IsDBNull(8) ? null : Intern(strings, reader.GetString(8)));
            }
        }
        finally
        {
            if (opened)
            {
                await connection.CloseAsync();
            }
        }

        store.FlushRollups();
    }

    private static string Intern(Dictionary<string, string> strings, string value)
    {
        if (strings.TryGetValue(value, out var existing))
        {
            return existing;
        }

        strings[value] = value;
        return value;
    }

    /// <summary>Starts loading at start-up so that the first query does not pay for it.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
                var exclusions = await db.ModelExclusions.AsNoTracking().Select(m => m.ModelVersion).ToListAsync(CancellationToken.None);
                await GetStoreAsync(exclusions, CancellationToken.None);
            }
            catch (Exception ex)
            {
                LogPreloadFailed(ex);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics index loaded up to event {MaxId} ({Hours} rollup hours) in {Milliseconds} ms")]
    private partial void LogLoaded(long maxId, int hours, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Preloading the metrics index failed; it will load on the first query")]
    private partial void LogPreloadFailed(Exception ex);
}
