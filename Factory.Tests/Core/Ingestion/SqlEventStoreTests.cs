using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Factory.Tests.Core.Ingestion;

/// <summary>
/// The event store on each engine: ids ascend in array order (the receive order metrics use to break timestamp ties),
/// the first write wins, and a duplicate, by dedup key or by edge id, in the same batch or an earlier one, is answered
/// with the stored id.
/// </summary>
public sealed class SqlEventStoreTests : IAsyncLifetime
{
    private static readonly DateTime T0 = new(2026, 1, 21, 14, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Received = new(2026, 1, 21, 15, 0, 0, DateTimeKind.Utc);

    private readonly List<Func<Task>> _cleanup = [];
    private string? _postgresConnection;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var step in _cleanup)
        {
            await step();
        }
    }

    public static TheoryData<string> Providers => ["Sqlite", "Postgres"];

    private static PendingEvent At(int second, string worker = "W1", EventType type = EventType.Working, double confidence = 0.9,
        string? eventId = null, string? camera = "CAM-01", bool low = false) =>
        new(new NewEvent(T0.AddSeconds(second), worker, "S1", type, confidence, 1, camera, "yolov8-v2.1", eventId), low);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task New_events_get_ids_ascending_in_array_order_not_in_timestamp_order(string provider)
    {
        var (store, read) = await CreateAsync(provider);

        var (outcomes, stored) = await store.InsertAsync([At(30), At(10), At(20, worker: "W2"), At(10, worker: "W3")], Received, CancellationToken.None);

        Assert.All(outcomes, o => Assert.False(o.Duplicate));
        Assert.Equal(outcomes.Select(o => o.Id).Order(), outcomes.Select(o => o.Id));
        Assert.Equal(4, outcomes.Select(o => o.Id).Distinct().Count());
        Assert.Equal(outcomes.Select(o => o.Id), stored.Select(e => e.Id));
        var rows = await read();
        Assert.Equal(outcomes.Select(o => o.Id), rows.Select(r => r.Id));
        Assert.Equal([30, 10, 20, 10], rows.Select(r => (int)(r.Timestamp - T0).TotalSeconds));
        Assert.Equal(["W1", "W1", "W2", "W3"], rows.Select(r => r.WorkerId));
        Assert.All(rows, r => Assert.Equal(Received, r.ReceivedAt));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_later_row_of_the_same_batch_with_the_same_key_is_a_duplicate_of_the_first(string provider)
    {
        var (store, read) = await CreateAsync(provider);

        var (outcomes, stored) = await store.InsertAsync(
            [At(5, confidence: 0.95), At(6), At(5, confidence: 0.31, eventId: "edge-9"), At(5, confidence: 0.5)], Received, CancellationToken.None);

        Assert.Equal([false, false, true, true], outcomes.Select(o => o.Duplicate));
        Assert.Equal(outcomes[0].Id, outcomes[2].Id);
        Assert.Equal(outcomes[0].Id, outcomes[3].Id);
        Assert.Equal([outcomes[0].Id, outcomes[1].Id], stored.Select(e => e.Id));
        var rows = await read();
        Assert.Equal(2, rows.Count);
        Assert.Equal(0.95, rows[0].Confidence);
        Assert.Null(rows[0].EventId);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_later_row_of_the_same_batch_with_the_same_edge_id_is_a_duplicate_of_the_first(string provider)
    {
        var (store, read) = await CreateAsync(provider);

        var (outcomes, _) = await store.InsertAsync(
            [At(1, eventId: "edge-1"), At(2, type: EventType.Idle, eventId: "edge-1"), At(3, eventId: "edge-2")], Received, CancellationToken.None);

        Assert.Equal([false, true, false], outcomes.Select(o => o.Duplicate));
        Assert.Equal(outcomes[0].Id, outcomes[1].Id);
        Assert.True(outcomes[2].Id > outcomes[0].Id);
        var rows = await read();
        Assert.Equal([1, 3], rows.Select(r => (int)(r.Timestamp - T0).TotalSeconds));
        Assert.Equal(EventType.Working, rows[0].EventType);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Duplicates_of_stored_rows_by_key_and_by_edge_id_mixed_with_new_rows_get_the_stored_ids(string provider)
    {
        var (store, read) = await CreateAsync(provider);
        var (first, _) = await store.InsertAsync([At(1), At(2, eventId: "edge-2")], Received, CancellationToken.None);

        var (outcomes, stored) = await store.InsertAsync(
        [
            At(3),
            At(1, confidence: 0.4, camera: "CAM-07"),
            At(4),
            At(60, type: EventType.Idle, eventId: "edge-2"),
            At(5),
        ], Received.AddSeconds(1), CancellationToken.None);

        Assert.Equal([false, true, false, true, false], outcomes.Select(o => o.Duplicate));
        Assert.Equal(first[0].Id, outcomes[1].Id);
        Assert.Equal(first[1].Id, outcomes[3].Id);
        var fresh = new[] { outcomes[0].Id, outcomes[2].Id, outcomes[4].Id };
        Assert.Equal(fresh, stored.Select(e => e.Id));
        Assert.True(fresh[0] > first[1].Id && fresh[0] < fresh[1] && fresh[1] < fresh[2]);
        var rows = await read();
        Assert.Equal([1, 2, 3, 4, 5], rows.Select(r => (int)(r.Timestamp - T0).TotalSeconds));
        Assert.Equal(0.9, rows[0].Confidence);
        Assert.Equal("CAM-01", rows[1].CameraId);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_batch_that_is_all_duplicates_stores_nothing_and_answers_every_row(string provider)
    {
        var (store, read) = await CreateAsync(provider);
        var (first, _) = await store.InsertAsync([At(1), At(2)], Received, CancellationToken.None);

        var (outcomes, stored) = await store.InsertAsync([At(2), At(1), At(2)], Received, CancellationToken.None);

        Assert.Empty(stored);
        Assert.Equal([first[1].Id, first[0].Id, first[1].Id], outcomes.Select(o => o.Id));
        Assert.All(outcomes, o => Assert.True(o.Duplicate));
        Assert.Equal(2, (await read()).Count);
    }

    /// <summary>
    /// A large batch with duplicates of every kind against a model of first-write-wins: each row is new unless its key or
    /// its edge id was seen before (in this batch or an earlier one), and a duplicate is answered with the id of a
    /// stored row that shares its key or its edge id.
    /// </summary>
    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Random_batches_with_duplicates_agree_with_first_write_wins(string provider)
    {
        var (store, read) = await CreateAsync(provider);
        var random = new Random(20261121);
        var byKey = new Dictionary<(int Second, string Worker, EventType Type), long>();
        var byEdgeId = new Dictionary<string, long>();
        var expectedRows = new List<(long Id, PendingEvent Event)>();

        for (var batch = 0; batch < 4; batch++)
        {
            var events = Enumerable.Range(0, 1500).Select(_ => At(
                random.Next(0, 400),
                worker: $"W{random.Next(1, 4)}",
                type: (EventType)random.Next(0, 3),
                confidence: Math.Round(random.NextDouble(), 3),
                eventId: random.Next(3) == 0 ? $"edge-{random.Next(0, 300)}" : null)).ToList();

            var (outcomes, stored) = await store.InsertAsync(events, Received.AddSeconds(batch), CancellationToken.None);

            Assert.Equal(events.Count, outcomes.Length);
            var previousMax = expectedRows.Count == 0 ? 0 : expectedRows[^1].Id;
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i].Event;
                var key = ((int)(e.Timestamp - T0).TotalSeconds, e.WorkerId, e.EventType);
                var keyHit = byKey.TryGetValue(key, out var keyId);
                var edgeHit = e.EventId is not null && byEdgeId.TryGetValue(e.EventId, out _);
                if (!keyHit && !edgeHit)
                {
                    Assert.False(outcomes[i].Duplicate, $"batch {batch} row {i} is new");
                    Assert.True(outcomes[i].Id > previousMax, $"batch {batch} row {i}: ids ascend in array order");
                    previousMax = outcomes[i].Id;
                    byKey[key] = outcomes[i].Id;
                    if (e.EventId is not null)
                    {
                        byEdgeId[e.EventId] = outcomes[i].Id;
                    }

                    expectedRows.Add((outcomes[i].Id, events[i]));
                    continue;
                }

                Assert.True(outcomes[i].Duplicate, $"batch {batch} row {i} is a duplicate");
                var candidates = new List<long>();
                if (keyHit)
                {
                    candidates.Add(keyId);
                }

                if (edgeHit)
                {
                    candidates.Add(byEdgeId[e.EventId!]);
                }

                Assert.True(candidates.Contains(outcomes[i].Id),
                    $"batch {batch} row {i} ({e}) was answered with {outcomes[i].Id}, expected one of {string.Join(", ", candidates)}");
            }

            Assert.Equal(outcomes.Where(o => !o.Duplicate).Select(o => o.Id), stored.Select(s => s.Id));
        }

        var rows = await read();
        Assert.Equal(expectedRows.Select(r => r.Id), rows.Select(r => r.Id));
        Assert.Equal(expectedRows.Select(r => (r.Event.Event.Timestamp, r.Event.Event.WorkerId, r.Event.Event.EventType, r.Event.Event.Confidence, r.Event.Event.EventId)),
            rows.Select(r => (r.Timestamp, r.WorkerId, r.EventType, r.Confidence, r.EventId)));
    }

    [Fact]
    public async Task Postgres_store_replaces_a_lost_connection_on_the_next_write()
    {
        var (store, read) = await CreateAsync("Postgres");
        await store.InsertAsync([At(1)], Received, CancellationToken.None);

        await using (var admin = new NpgsqlConnection(_postgresConnection))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", admin);
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 1);
        }

        await Assert.ThrowsAnyAsync<Exception>(() => store.InsertAsync([At(2)], Received, CancellationToken.None));
        var (outcomes, _) = await store.InsertAsync([At(2), At(1)], Received, CancellationToken.None);

        Assert.Equal([false, true], outcomes.Select(o => o.Duplicate));
        Assert.Equal([1, 2], (await read()).Select(r => (int)(r.Timestamp - T0).TotalSeconds));
    }

    /// <summary>A store on a freshly migrated database of the engine, and a reader of its rows in id order.</summary>
    private async Task<(SqlEventStore Store, Func<Task<List<FactoryEvent>>> Read)> CreateAsync(string provider)
    {
        if (provider == "Sqlite")
        {
            var folder = Path.Combine(Path.GetTempPath(), "factory-tests", "store-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            var connection = $"Data Source={Path.Combine(folder, "events.db")}";
            var options = new DbContextOptionsBuilder<SqliteFactoryDbContext>().UseSqlite(connection).Options;
            await using (var db = new SqliteFactoryDbContext(options))
            {
                await db.Database.MigrateAsync();
            }

            _cleanup.Add(() =>
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
                return Task.CompletedTask;
            });
            var sqliteStore = new SqlEventStore(DatabaseProvider.Sqlite, connection);
            _cleanup.Insert(0, () => sqliteStore.DisposeAsync().AsTask());
            return (sqliteStore, ReadSqliteAsync);

            async Task<List<FactoryEvent>> ReadSqliteAsync()
            {
                await using var db = new SqliteFactoryDbContext(options);
                return await db.Events.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
            }
        }

        var admin = Environment.GetEnvironmentVariable("FACTORY_TEST_POSTGRES");
        Requires.That(!string.IsNullOrEmpty(admin), "PostgreSQL (FACTORY_TEST_POSTGRES)");
        var database = "factory_store_" + Guid.NewGuid().ToString("N")[..12];
        _postgresConnection = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString();
        var pgOptions = new DbContextOptionsBuilder<PostgresFactoryDbContext>().UseNpgsql(_postgresConnection).Options;
        _cleanup.Add(async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        });
        await using (var db = new PostgresFactoryDbContext(pgOptions))
        {
            await db.Database.MigrateAsync();
        }

        var store = new SqlEventStore(DatabaseProvider.Postgres, _postgresConnection);
        _cleanup.Insert(0, () => store.DisposeAsync().AsTask());
        return (store, ReadPostgresAsync);

        async Task<List<FactoryEvent>> ReadPostgresAsync()
        {
            await using var db = new PostgresFactoryDbContext(pgOptions);
            return await db.Events.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        }
    }
}
