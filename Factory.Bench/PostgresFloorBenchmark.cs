using System.Diagnostics;
using System.Globalization;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Factory.Bench;

/// <summary>
/// PostgreSQL's own insert rate of the rows the batch benchmark sends: the reference the PostgreSQL ingestion target
/// is measured against. The rows are first copied into a staging table (not timed); then one server-side block inserts
/// them into the events table of a freshly migrated database (same indexes) the way the writer commits them: 1000 rows
/// per transaction, each row its own <c>INSERT … ON CONFLICT DO NOTHING</c>, no client round trip at all.
/// </summary>
internal static class PostgresFloorBenchmark
{
    private const int RowsPerTransaction = 1000;

    /// <summary>
    /// What the floor measured, in rows per second, and the CPU time the database server spent per row (µs; null when
    /// the server's processes are not visible in this machine's /proc).
    /// </summary>
    internal sealed record Floor(double RowByRow, double? RowByRowCpu, double SetBased, double? SetBasedCpu, StoreRun? Store, string Durability);

    /// <summary>The event store driven from this process: rows/s, and CPU µs per row of this process and of the database.</summary>
    internal sealed record StoreRun(double Rate, double ClientCpu, double? DatabaseCpu);

    /// <summary>The <c>postgres-floor</c> command: the floor two ways, and the event store as the writer runs it, without HTTP.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var admin = Environment.GetEnvironmentVariable("FACTORY_BENCH_POSTGRES");
        if (string.IsNullOrEmpty(admin))
        {
            Console.WriteLine("postgres-floor: set FACTORY_BENCH_POSTGRES to an admin connection string (e.g. Host=127.0.0.1;Port=55432;Username=postgres) to run it.");
            return 0;
        }

        var rows = BenchArgs.Int(args, "--rows", 200_000);
        var floor = await MeasureAsync(admin, rows, withStore: true);
        var table = BenchReport.Table(
            ("rows", rows.ToString("N0", CultureInfo.InvariantCulture)),
            ("server durability settings", floor.Durability),
            ("one INSERT … ON CONFLICT DO NOTHING per row, 1000 rows/transaction, inside PostgreSQL (the floor)", $"{floor.RowByRow:N0} rows/s{Cpu(floor.RowByRowCpu)}"),
            ("one INSERT … SELECT … ON CONFLICT DO NOTHING per 1000 rows, inside PostgreSQL", $"{floor.SetBased:N0} rows/s{Cpu(floor.SetBasedCpu)}"),
            ("event store as the writer runs it (ids, duplicate answers), 1000 rows/transaction, from this process",
                string.Create(CultureInfo.InvariantCulture, $"{floor.Store!.Rate:N0} rows/s ({floor.Store.ClientCpu:0.0} µs CPU/row in this process){Cpu(floor.Store.DatabaseCpu)}")),
            ("load average", BenchReport.LoadAverage()));
        BenchReport.Append("PostgreSQL floor", "dotnet run -c Release --project Factory.Bench -- postgres-floor",
        [
            "A fresh database migrated like the server's (same indexes); the rows are those of `ingest-postgres`, copied into a staging table first (not timed).",
            "The first two rows run as one server-side block (`DO`), committing every 1000 rows: no client, no round trip. The event store row goes through Npgsql from this process.",
        ], table);
        BenchReport.RecordTarget("PostgreSQL floor", "the same rows inserted inside PostgreSQL (reference for PostgreSQL ingestion)", "(no target; the reference for 50 %)",
            string.Create(CultureInfo.InvariantCulture, $"{floor.RowByRow:N0} rows/s one INSERT per row{Cpu(floor.RowByRowCpu)}; set-based {floor.SetBased:N0} rows/s{Cpu(floor.SetBasedCpu)}; event store {floor.Store!.Rate:N0} rows/s{Cpu(floor.Store.DatabaseCpu)}; {floor.Durability}"), true);
        return 0;
    }

    /// <summary>Measures the floor on a database of its own, created and dropped here.</summary>
    internal static async Task<Floor> MeasureAsync(string admin, int rows, bool withStore)
    {
        var database = "factory_floor_" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString();
        try
        {
            var options = new DbContextOptionsBuilder<PostgresFactoryDbContext>().UseNpgsql(connectionString).Options;
            await using (var db = new PostgresFactoryDbContext(options))
            {
                await db.Database.MigrateAsync();
            }

            var events = Enumerable.Range(0, rows).Select(IngestionBenchmark.Event).ToList();
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            var durability = await DurabilityAsync(connection);
            await StageAsync(connection, events);

            var (rowByRow, rowByRowCpu) = await TimeAsync(connection, rows, RowByRowSql(rows));
            await ExecuteAsync(connection, "TRUNCATE events RESTART IDENTITY; CHECKPOINT;");
            var (setBased, setBasedCpu) = await TimeAsync(connection, rows, SetBasedSql(rows));
            StoreRun? store = null;
            if (withStore)
            {
                await ExecuteAsync(connection, "TRUNCATE events RESTART IDENTITY; CHECKPOINT;");
                store = await StoreAsync(connection, connectionString, events);
            }

            return new Floor(rowByRow, rowByRowCpu, setBased, setBasedCpu, store, durability);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }
    }

    private static async Task<string> DurabilityAsync(NpgsqlConnection connection)
    {
        var settings = new List<string>();
        foreach (var name in new[] { "fsync", "synchronous_commit" })
        {
            await using var show = new NpgsqlCommand($"SHOW {name}", connection);
            settings.Add($"{name}={await show.ExecuteScalarAsync()}");
        }

        return string.Join(", ", settings);
    }

    private static async Task StageAsync(NpgsqlConnection connection, List<NewEvent> events)
    {
        await ExecuteAsync(connection,
            "CREATE UNLOGGED TABLE floor_src (ord integer PRIMARY KEY, ts timestamptz, rcv timestamptz, w text, s text, t integer, c double precision, n integer, cam text, mv text)");
        var received = DateTime.UtcNow;
        await using (var copy = await connection.BeginBinaryImportAsync("COPY floor_src FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                await copy.StartRowAsync();
                await copy.WriteAsync(i, NpgsqlDbType.Integer);
                await copy.WriteAsync(e.Timestamp, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(received, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(e.WorkerId, NpgsqlDbType.Text);
                await copy.WriteAsync(e.WorkstationId, NpgsqlDbType.Text);
                await copy.WriteAsync((int)e.EventType, NpgsqlDbType.Integer);
                await copy.WriteAsync(e.Confidence, NpgsqlDbType.Double);
                await copy.WriteAsync(e.Count, NpgsqlDbType.Integer);
                await copy.WriteAsync(e.CameraId, NpgsqlDbType.Text);
                await copy.WriteAsync(e.ModelVersion, NpgsqlDbType.Text);
            }

            await copy.CompleteAsync();
        }

        await ExecuteAsync(connection, "ANALYZE floor_src; CHECKPOINT;");
    }

    private const string Columns = "\"timestamp\", received_at, worker_id, workstation_id, event_type, confidence, count, camera_id, model_version, event_id, low_confidence";

    /// <summary>One INSERT statement per row, a COMMIT every 1000 rows, all inside the server.</summary>
    private static string RowByRowSql(int rows) => $"""
        DO $$
        DECLARE r record;
        BEGIN
            FOR b IN 0..{(rows - 1) / RowsPerTransaction} LOOP
                FOR r IN SELECT * FROM floor_src WHERE ord >= b * {RowsPerTransaction} AND ord < (b + 1) * {RowsPerTransaction} ORDER BY ord LOOP
                    INSERT INTO events ({Columns})
                    VALUES (r.ts, r.rcv, r.w, r.s, r.t, r.c, r.n, r.cam, r.mv, NULL, false)
                    ON CONFLICT DO NOTHING;
                END LOOP;
                COMMIT;
            END LOOP;
        END $$
        """;

    /// <summary>One INSERT … SELECT per 1000 rows, a COMMIT after each, all inside the server.</summary>
    private static string SetBasedSql(int rows) => $"""
        DO $$
        BEGIN
            FOR b IN 0..{(rows - 1) / RowsPerTransaction} LOOP
                INSERT INTO events ({Columns})
                SELECT ts, rcv, w, s, t, c, n, cam, mv, NULL, false FROM floor_src
                WHERE ord >= b * {RowsPerTransaction} AND ord < (b + 1) * {RowsPerTransaction} ORDER BY ord
                ON CONFLICT DO NOTHING;
                COMMIT;
            END LOOP;
        END $$
        """;

    /// <summary>Rows per second, and the server process's CPU µs per row.</summary>
    private static async Task<(double Rate, double? CpuPerRow)> TimeAsync(NpgsqlConnection connection, int rows, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        var cpuBefore = BackendCpu.Of([connection.ProcessID]);
        var clock = Stopwatch.StartNew();
        await cmd.ExecuteNonQueryAsync();
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuAfter = BackendCpu.Of([connection.ProcessID]);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM events", connection);
        var stored = (long)(await count.ExecuteScalarAsync())!;
        if (stored != rows)
        {
            throw new InvalidOperationException($"The floor stored {stored} rows, not {rows}.");
        }

        return (rows / seconds, cpuAfter - cpuBefore is { } cpu ? cpu.TotalMicroseconds / rows : null);
    }

    /// <summary>", 12.3 µs database CPU/row", or nothing when it could not be measured.</summary>
    internal static string Cpu(double? microsecondsPerRow) =>
        microsecondsPerRow is { } us ? string.Create(CultureInfo.InvariantCulture, $" ({us:0.0} µs database CPU/row)") : "";

    private static async Task<StoreRun> StoreAsync(NpgsqlConnection connection, string connectionString, List<NewEvent> events)
    {
        await using var store = new SqlEventStore(DatabaseProvider.Postgres, connectionString);
        // Warm-up with other rows: JIT, prepared statements, the store's connection.
        for (var b = 1; b <= 5; b++)
        {
            var warm = Enumerable.Range(-b * RowsPerTransaction, RowsPerTransaction).Select(i => new PendingEvent(IngestionBenchmark.Event(i), false)).ToList();
            await store.InsertAsync(warm, DateTime.UtcNow, CancellationToken.None);
        }

        var backends = await BackendCpu.BackendsAsync(connection, connection.Database);
        var databaseBefore = BackendCpu.Of(backends);
        var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        foreach (var chunk in events.Chunk(RowsPerTransaction))
        {
            await store.InsertAsync(chunk.Select(e => new PendingEvent(e, false)).ToList(), DateTime.UtcNow, CancellationToken.None);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var client = Process.GetCurrentProcess().TotalProcessorTime - clientBefore;
        var database = BackendCpu.Of(backends) - databaseBefore;
        return new StoreRun(events.Count / seconds, client.TotalMicroseconds / events.Count, database?.TotalMicroseconds / events.Count);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// CPU time (user + system) of PostgreSQL backend processes, read from /proc: available when the database server runs
/// on this machine, which is how the benchmarks run it. It depends far less on the machine's load than a rate does.
/// </summary>
internal static class BackendCpu
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>The summed CPU time of the processes, or null when any of them cannot be read.</summary>
    public static TimeSpan? Of(IEnumerable<int> pids)
    {
        var total = 0L;
        foreach (var pid in pids)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // Fields after the command name (which is in parentheses and may contain spaces): state is field 3, utime 14, stime 15.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                return null;
            }
        }

        return TimeSpan.FromSeconds(total / TicksPerSecond);
    }

    /// <summary>The backends connected to <paramref name="database"/> (other than the asking connection).</summary>
    public static async Task<int[]> BackendsAsync(NpgsqlConnection admin, string database)
    {
        await using var cmd = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", admin);
        cmd.Parameters.Add(new NpgsqlParameter { Value = database });
        var pids = new List<int>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return [.. pids];
    }
}
