using Factory.Tests.Infrastructure;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Factory.Bench;

/// <summary>
/// Ingestion over HTTP against the real server process (durable acknowledgements), and the floor:
/// the same rows inserted straight into SQLite on the same disk, without HTTP.
/// </summary>
internal static class IngestionBenchmark
{
    private const int BatchSize = 1000;
    private const int WarmUpBatches = 20;
    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromSeconds(180);
    private const int WarmUpRequests = 1000;

    /// <summary>Batches of 1000 over HTTP from 4 concurrent senders: throughput and per-batch latency.</summary>
    public static Task<int> BatchAsync(string[] args) => BatchCoreAsync("Batch ingestion over HTTP (SQLite)", "batch", null, null, args);

    /// <summary>
    /// The same batch workload with <c>Database:Provider=Postgres</c> (needs FACTORY_BENCH_POSTGRES), next to PostgreSQL's
    /// own insert rate of the same rows (<see cref="PostgresFloorBenchmark"/>): the target is half of that rate.
    /// </summary>
    public static async Task<int> BatchPostgresAsync(string[] args)
    {
        var admin = Environment.GetEnvironmentVariable("FACTORY_BENCH_POSTGRES");
        if (string.IsNullOrEmpty(admin))
        {
            Console.WriteLine("ingest-postgres: set FACTORY_BENCH_POSTGRES to an admin connection string (e.g. Host=127.0.0.1;Port=55432;Username=postgres) to run it.");
            return 0;
        }

        var batches = BenchArgs.Int(args, "--batches", 200);
        var floor = await PostgresFloorBenchmark.MeasureAsync(admin, batches * BatchSize, withStore: false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL floor: {floor.RowByRow:N0} rows/s ({floor.Durability})"));
        var database = "factory_bench_" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString(),
        };
        try
        {
            return await BatchCoreAsync("Batch ingestion over HTTP (PostgreSQL)", "postgres", settings, floor, args, async () =>
            {
                await using var connection = new Npgsql.NpgsqlConnection(admin);
                await connection.OpenAsync();
                return await BackendCpu.BackendsAsync(connection, database);
            });
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var connection = new Npgsql.NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <param name="databaseBackends">For PostgreSQL: the server processes serving the app's database, whose CPU time is measured too.</param>
    private static async Task<int> BatchCoreAsync(string title, string name, Dictionary<string, string>? settings, PostgresFloorBenchmark.Floor? floor, string[] args,
        Func<Task<int[]>>? databaseBackends = null)
    {
        var batches = BenchArgs.Int(args, "--batches", 200);
        const int senders = 4;
        await using var server = await BenchServer.StartAsync(settings);
        var bodies = Enumerable.Range(0, batches).Select(b => BatchBody(b * BatchSize, BatchSize)).ToList();

        var warmUp = await WarmUpAsync(server, senders);
        Console.WriteLine(warmUp);

        var latencies = new Latencies();
        var next = -1;
        var backends = databaseBackends is null ? [] : await databaseBackends();
        var databaseCpuBefore = BackendCpu.Of(backends);
        var cpuBefore = server.CpuTime;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, senders).Select(async _ =>
        {
            using var client = server.CreateClient(BenchServer.CameraKey);
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                var start = Stopwatch.GetTimestamp();
                await PostAsync(client, "api/events/batch", bodies[i]);
                latencies.Add(Stopwatch.GetElapsedTime(start));
            }
        });
        await Task.WhenAll(tasks);
        clock.Stop();

        var cpu = server.CpuTime - cpuBefore;
        var databaseCpu = BackendCpu.Of(backends) - databaseCpuBefore;
        var events = (long)batches * BatchSize;
        var rate = events / clock.Elapsed.TotalSeconds;
        var pass = floor is null ? rate >= 50_000 : rate >= floor.RowByRow / 2;
        var cpuPerEvent = string.Create(CultureInfo.InvariantCulture, $"{cpu.TotalMicroseconds / events:0.0} µs ({cpu.TotalSeconds / clock.Elapsed.TotalSeconds:0.00} cores busy on average)");
        var rows = new List<(string Name, string Value)>
        {
            ("events", events.ToString("N0", CultureInfo.InvariantCulture)),
            ("throughput", $"{rate:N0} events/s"),
            ("batch latency", latencies.Summary()),
            ("server CPU per event", cpuPerEvent),
            ("server RSS after / peak", $"{server.RssMiB:0} / {server.PeakRssMiB:0} MiB"),
        };
        if (floor is null)
        {
            rows.Add(("target", ">= 50,000 events/s"));
        }
        else
        {
            rows.Add(("database CPU per event (the app's PostgreSQL backends)", PostgresFloorBenchmark.Cpu(databaseCpu?.TotalMicroseconds / events).Trim(' ', '(', ')') is { Length: > 0 } d ? d : "n/a"));
            rows.Add(("PostgreSQL floor (same rows inside PostgreSQL, one INSERT … ON CONFLICT DO NOTHING per row, 1000 per transaction)",
                $"{floor.RowByRow:N0} rows/s{PostgresFloorBenchmark.Cpu(floor.RowByRowCpu)}; {floor.Durability}"));
            rows.Add(("ratio to the floor", string.Create(CultureInfo.InvariantCulture, $"{rate / floor.RowByRow:P0}")));
            rows.Add(("target", ">= 50 % of the floor"));
        }

        rows.Add(("result", BenchReport.Verdict(pass)));
        BenchReport.Append(title, $"dotnet run -c Release --project Factory.Bench -- ingest-{name}",
        [
            $"{senders} concurrent senders, batches of {BatchSize}, every batch acknowledged only after commit; {BenchReport.LoadAverage()} at the end.",
            $"Warm-up: {warmUp}. The server runs with tiered compilation as in production; measuring before its JIT has settled counts tier-0 code and the JIT's own work (under a heavy machine load that was most of the CPU per event).",
            "Server CPU per event (user + system time of the server process) depends far less on the machine's load than the throughput does; 2 cores divided by it bounds the rate the server alone could reach.",
            .. floor is null ? Array.Empty<string>() :
            [
                "The floor is measured first, by `postgres-floor`'s method, on a database of its own on the same server; the database server runs on the same 2 cores as the app and the senders.",
            ],
        ], Table([.. rows]));
        if (floor is null)
        {
            BenchReport.RecordTarget("batch ingestion, SQLite", "batches of 1000 over HTTP, durable ack", ">= 50,000 events/s",
                string.Create(CultureInfo.InvariantCulture, $"{rate:N0} events/s (server {cpu.TotalMicroseconds / events:0.0} µs CPU/event)"), pass);
        }
        else
        {
            BenchReport.RecordTarget("batch ingestion, PostgreSQL", "as for SQLite, against PostgreSQL on the same machine", ">= 50 % of PostgreSQL's own insert rate of the same rows",
                string.Create(CultureInfo.InvariantCulture, $"{rate:N0} events/s = {rate / floor.RowByRow:P0} of the floor's {floor.RowByRow:N0} rows/s (server {cpu.TotalMicroseconds / events:0.0} µs CPU/event; {floor.Durability})"), pass);
        }

        return 0;
    }

    /// <summary>
    /// Posts warm-up batches (events before the measured ones) from <paramref name="senders"/> senders until the server's
    /// JIT has settled: at least <see cref="WarmUpBatches"/> batches, then until no more than 10 methods were compiled in
    /// the last 3 seconds (<c>dotnet.jit.compiled_methods</c> on /metrics), at most <see cref="MaxWarmUp"/>.
    /// </summary>
    private static async Task<string> WarmUpAsync(ServerProcess server, int senders)
    {
        using var metrics = server.CreateClient(BenchServer.AdminKey);
        var clock = Stopwatch.StartNew();
        var posted = 0;
        var settled = false;
        using var stop = new CancellationTokenSource();
        var posting = Enumerable.Range(0, senders).Select(async _ =>
        {
            using var client = server.CreateClient(BenchServer.CameraKey);
            while (!stop.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref posted);
                await PostAsync(client, "api/events/batch", BatchBody(-i * BatchSize, BatchSize));
            }
        }).ToList();

        var history = new List<(TimeSpan At, long Methods)>();
        while (clock.Elapsed < MaxWarmUp)
        {
            await Task.Delay(500);
            if (await CompiledMethodsAsync(metrics) is { } methods)
            {
                history.Add((clock.Elapsed, methods));
            }

            var window = history.Where(h => h.At >= clock.Elapsed - TimeSpan.FromSeconds(3)).ToList();
            if (Volatile.Read(ref posted) >= WarmUpBatches && window.Count >= 6 && window[^1].Methods - window[0].Methods <= 10)
            {
                settled = true;
                break;
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(posting);
        return string.Create(CultureInfo.InvariantCulture,
            $"{posted:N0} batches in {clock.Elapsed.TotalSeconds:0} s, {(settled ? "until the JIT settled (≤ 10 methods compiled in 3 s)" : $"stopped after {MaxWarmUp.TotalSeconds:0} s with the JIT still compiling")}, {(history.Count > 0 ? history[^1].Methods : 0):N0} methods compiled");
    }

    private static async Task<long?> CompiledMethodsAsync(HttpClient metrics)
    {
        try
        {
            var text = await metrics.GetStringAsync("metrics");
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("system_runtime_dotnet_jit_compiled_methods ", StringComparison.Ordinal));
            return line is null ? null : (long)double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Single events from 50 cameras at a steady 1000 requests/s in total: latency percentiles.</summary>
    public static async Task<int> SingleAsync(string[] args)
    {
        var seconds = BenchArgs.Int(args, "--seconds", 15);
        const int cameras = 50;
        const int totalRate = 1000;
        await using var server = await BenchServer.StartAsync();
        var latencies = new Latencies();
        var failures = 0;
        var sequence = 0;
        using (var warm = server.CreateClient(BenchServer.CameraKey))
        {
            for (var i = 0; i < WarmUpRequests; i++)
            {
                await PostAsync(warm, "api/events", SingleBody(-1_000_000 - i));
            }
        }

        var perCamera = TimeSpan.FromSeconds(cameras / (double)totalRate);
        var cpuBefore = server.CpuTime;
        var start = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, cameras).Select(async camera =>
        {
            using var client = server.CreateClient(BenchServer.CameraKey);
            // Stagger the cameras so requests arrive evenly rather than in waves.
            var due = TimeSpan.FromTicks(perCamera.Ticks * camera / cameras);
            while (due < TimeSpan.FromSeconds(seconds))
            {
                var wait = due - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var body = SingleBody(Interlocked.Increment(ref sequence));
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await PostAsync(client, "api/events", body);
                    latencies.Add(Stopwatch.GetElapsedTime(t0));
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }

                due += perCamera;
            }
        });
        await Task.WhenAll(tasks);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var cpu = server.CpuTime - cpuBefore;
        var p99 = latencies.Percentile(99);
        var pass = failures == 0 && p99 < 10;

        var table = Table(
            ("requests", latencies.Count.ToString("N0", CultureInfo.InvariantCulture)),
            ("achieved rate", $"{latencies.Count / elapsed.TotalSeconds:N0} req/s (offered {totalRate})"),
            ("latency", latencies.Summary() + string.Create(CultureInfo.InvariantCulture, $", max {latencies.Percentile(100):0.00} ms")),
            ("failures", failures.ToString(CultureInfo.InvariantCulture)),
            ("server CPU per request", string.Create(CultureInfo.InvariantCulture, $"{cpu.TotalMicroseconds / Math.Max(1, latencies.Count):0} µs ({cpu.TotalSeconds / elapsed.TotalSeconds:0.00} cores busy on average)")),
            ("server RSS after / peak", $"{server.RssMiB:0} / {server.PeakRssMiB:0} MiB"),
            ("target", "p99 < 10 ms"),
            ("result", BenchReport.Verdict(pass)));
        BenchReport.Append("Single-event ingestion, 50 cameras at 1000 req/s", "dotnet run -c Release --project Factory.Bench -- ingest-single",
        [
            $"Open-loop pacing: each camera sends on a fixed schedule, so slow answers do not lower the offered load; {WarmUpRequests} warm-up requests first.",
            "Each camera has its own HTTP connection; every answer comes after the event's commit (group commit folds concurrent requests into one transaction).",
            "Client and server share the same 2 cores.",
        ], table);
        BenchReport.RecordTarget("single-event ingestion", "1000 req/s steady, 50 concurrent cameras", "p99 < 10 ms",
            string.Create(CultureInfo.InvariantCulture, $"p99 {p99:0.0} ms (p50 {latencies.Percentile(50):0.0} ms), {latencies.Count / elapsed.TotalSeconds:N0} req/s, {failures} failed"), pass);
        return pass ? 0 : 1;
    }

    /// <summary>The disk's floor: the same rows inserted without HTTP, plain and through the writer's store.</summary>
    public static async Task<int> FloorAsync(string[] args)
    {
        var rows = BenchArgs.Int(args, "--rows", 200_000);
        var folder = Path.Combine(Path.GetTempPath(), "factory-bench", "floor-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var plainPath = Path.Combine(folder, "plain.db");
            var storePath = Path.Combine(folder, "store.db");
            await CreateSchemaAsync(plainPath);
            await CreateSchemaAsync(storePath);
            var events = Enumerable.Range(0, rows).Select(Event).ToList();

            var enginePath = Path.Combine(folder, "engine.db");
            await CreateSchemaAsync(enginePath);
            var plain = await PlainInsertAsync(plainPath, events);
            var engine = EngineInsert(enginePath, events);
            var store = await StoreInsertAsync(storePath, events);
            var table = Table(
                ("rows", rows.ToString("N0", CultureInfo.InvariantCulture)),
                ("ADO.NET prepared INSERT (named parameters), 1000 rows/transaction", $"{plain:N0} rows/s"),
                ("engine API (SQLitePCL, positional binds), 1000 rows/transaction", $"{engine:N0} rows/s"),
                ("event store as the writer runs it (ON CONFLICT DO NOTHING, duplicate check), 1000 rows/transaction", $"{store:N0} rows/s"));
            BenchReport.Append("SQLite floor (no HTTP)", "dotnet run -c Release --project Factory.Bench -- sqlite-floor",
            [
                "Same schema and indexes as the server (migrations applied: 5 indexes on events), WAL, synchronous=FULL, one thread.",
                "Compare with batch ingestion over HTTP to see the share of the disk's rate the server reaches.",
            ], table);
            BenchReport.RecordTarget("SQLite floor", "the same rows straight into SQLite, no HTTP (reference for batch ingestion)", "(no target; ceiling for the 50,000 events/s)",
                string.Create(CultureInfo.InvariantCulture, $"engine {engine:N0} rows/s, event store {store:N0} rows/s"), true);
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task CreateSchemaAsync(string path)
    {
        var options = new DbContextOptionsBuilder<SqliteFactoryDbContext>().UseSqlite($"Data Source={path}").Options;
        await using var db = new SqliteFactoryDbContext(options);
        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
    }

    private static async Task<double> PlainInsertAsync(string path, List<NewEvent> events)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=FULL;";
            await pragma.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        foreach (var chunk in events.Chunk(BatchSize))
        {
            await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT INTO events (\"timestamp\", received_at, worker_id, workstation_id, event_type, confidence, count, camera_id, model_version, event_id, low_confidence) VALUES ($ts, $rcv, $w, $s, $t, $c, $n, $cam, $mv, NULL, 0)";
            var p = new[] { "$ts", "$rcv", "$w", "$s", "$t", "$c", "$n", "$cam", "$mv" }.Select(n => cmd.Parameters.Add(n, SqliteType.Integer)).ToArray();
            foreach (var e in chunk)
            {
                p[0].Value = e.Timestamp.Ticks;
                p[1].Value = e.Timestamp.Ticks;
                p[2].Value = e.WorkerId;
                p[3].Value = e.WorkstationId;
                p[4].Value = (int)e.EventType;
                p[5].Value = e.Confidence;
                p[6].Value = e.Count;
                p[7].Value = e.CameraId;
                p[8].Value = e.ModelVersion;
                await cmd.ExecuteNonQueryAsync();
            }

            await tx.CommitAsync();
        }

        return events.Count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The engine's own API: one prepared statement, positional binds, no ADO.NET layer.</summary>
    private static double EngineInsert(string path, List<NewEvent> events)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA synchronous=FULL;";
            pragma.ExecuteNonQuery();
        }

        var db = connection.Handle!;
        SQLitePCL.raw.sqlite3_prepare_v2(db,
            "INSERT INTO events (\"timestamp\", received_at, worker_id, workstation_id, event_type, confidence, count, camera_id, model_version, event_id, low_confidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, 0)",
            out var stmt);
        using (stmt)
        {
            var clock = Stopwatch.StartNew();
            foreach (var chunk in events.Chunk(BatchSize))
            {
                SQLitePCL.raw.sqlite3_exec(db, "BEGIN");
                foreach (var e in chunk)
                {
                    SQLitePCL.raw.sqlite3_bind_int64(stmt, 1, e.Timestamp.Ticks);
                    SQLitePCL.raw.sqlite3_bind_int64(stmt, 2, e.Timestamp.Ticks);
                    SQLitePCL.raw.sqlite3_bind_text(stmt, 3, e.WorkerId);
                    SQLitePCL.raw.sqlite3_bind_text(stmt, 4, e.WorkstationId);
                    SQLitePCL.raw.sqlite3_bind_int(stmt, 5, (int)e.EventType);
                    SQLitePCL.raw.sqlite3_bind_double(stmt, 6, e.Confidence);
                    SQLitePCL.raw.sqlite3_bind_int(stmt, 7, e.Count);
                    SQLitePCL.raw.sqlite3_bind_text(stmt, 8, e.CameraId);
                    SQLitePCL.raw.sqlite3_bind_text(stmt, 9, e.ModelVersion);
                    if (SQLitePCL.raw.sqlite3_step(stmt) != SQLitePCL.raw.SQLITE_DONE)
                    {
                        throw new InvalidOperationException(SQLitePCL.raw.sqlite3_errmsg(db).utf8_to_string());
                    }

                    SQLitePCL.raw.sqlite3_reset(stmt);
                }

                SQLitePCL.raw.sqlite3_exec(db, "COMMIT");
            }

            return events.Count / clock.Elapsed.TotalSeconds;
        }
    }

    private static async Task<double> StoreInsertAsync(string path, List<NewEvent> events)
    {
        await using var store = new SqlEventStore(DatabaseProvider.Sqlite, $"Data Source={path}");
        var clock = Stopwatch.StartNew();
        foreach (var chunk in events.Chunk(BatchSize))
        {
            await store.InsertAsync(chunk.Select(e => new PendingEvent(e, false)).ToList(), DateTime.UtcNow, CancellationToken.None);
        }

        return events.Count / clock.Elapsed.TotalSeconds;
    }

    private static readonly DateTime Origin = DateTime.UtcNow.AddHours(-2);

    /// <summary>Event number <paramref name="i"/> (negative numbers are warm-up events before the measured ones).</summary>
    internal static NewEvent Event(int i) => new(
        Origin.AddTicks(i * 10L * 10),
        $"W{Mod(i, 6) + 1}",
        $"S{Mod(i, 6) + 1}",
        Mod(i, 10) == 9 ? EventType.ProductCount : (EventType)Mod(i, 3),
        0.7 + Mod(i, 30) / 100.0,
        1,
        $"CAM-0{Mod(i, 6) + 1}",
        "yolov8-v2.1");

    private static int Mod(int value, int divisor) => ((value % divisor) + divisor) % divisor;

    private static byte[] BatchBody(int first, int count)
    {
        var sb = new StringBuilder("{\"events\":[");
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            AppendEvent(sb, Event(first + i));
        }

        return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }

    private static byte[] SingleBody(int i)
    {
        var sb = new StringBuilder();
        AppendEvent(sb, Event(i));
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static void AppendEvent(StringBuilder sb, NewEvent e) => sb.Append(CultureInfo.InvariantCulture,
        $"{{\"timestamp\":\"{WireTime.Format(e.Timestamp)}\",\"worker_id\":\"{e.WorkerId}\",\"workstation_id\":\"{e.WorkstationId}\",\"event_type\":\"{e.EventType.ToWire()}\",\"confidence\":{e.Confidence},\"count\":{e.Count},\"camera_id\":\"{e.CameraId}\",\"model_version\":\"{e.ModelVersion}\"}}");

    private static async Task PostAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(path, content);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static string Table(params (string Name, string Value)[] rows) => BenchReport.Table(rows);
}
