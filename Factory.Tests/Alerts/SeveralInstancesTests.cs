using System.Net.Http.Json;
using System.Text.Json;
using Factory.Core.Alerts;
using Factory.Core.Data;
using Factory.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Factory.Tests.Alerts;

/// <summary>
/// Two app hosts on one database (a shared SQLite file, and PostgreSQL when available), both with the default settings:
/// both keep the figures, one evaluates, so a silent camera opens one alert, not two; when that instance stops, the
/// other takes over the same alert. Each host's clock is faked and moved in step.
/// </summary>
public sealed class SeveralInstancesTests
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Two_instances_on_one_database_open_one_alert_and_the_survivor_takes_it_over(string provider)
    {
        var folder = Path.Combine(Path.GetTempPath(), "factory-tests", "instances-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var admin = Environment.GetEnvironmentVariable("FACTORY_TEST_POSTGRES");
        string? database = null;
        Dictionary<string, string?> settings;
        if (provider == "postgres")
        {
            Requires.That(!string.IsNullOrEmpty(admin) && await CanConnectAsync(admin), "PostgreSQL (FACTORY_TEST_POSTGRES)");
            database = "factory_instances_" + Guid.NewGuid().ToString("N")[..10];
            settings = new()
            {
                ["Database:Provider"] = "Postgres",
                ["Database:ConnectionString"] = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString(),
            };
        }
        else
        {
            settings = new()
            {
                ["Database:Provider"] = "Sqlite",
                ["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "factory.db")};Default Timeout=30",
            };
        }

        var apps = new List<FactoryApp>();
        try
        {
            // The first host migrates before the second starts, as in production.
            var first = new FactoryApp(settings, dataFolder: folder);
            apps.Add(first);
            using var firstClient = first.CreateClient();
            await Eventually.TrueAsync(() => first.GetService<EvaluationLease>().IsHeld, "the first host took the lease", TimeSpan.FromSeconds(30));
            var second = new FactoryApp(settings, dataFolder: folder);
            apps.Add(second);
            using var secondClient = second.CreateClient();
            await Eventually.TrueAsync(() => second.GetService<AlertEngine>().LastPassAt >= FactoryApp.Start.UtcDateTime, "the second host ran a pass", TimeSpan.FromSeconds(30));
            Assert.False(second.GetService<EvaluationLease>().IsHeld, "only one host holds the lease");

            // CAM-01 at S1 reports for ten minutes; half its events reach each host (two workers at the station), so both
            // hosts know the camera and both see it fall silent.
            var last = FactoryApp.Start.AddSeconds(-1);
            (await firstClient.PostBatchAsync(Enumerable.Range(0, 10).Select(m => FactoryHttp.Event(last.AddMinutes(-m), worker: "W1", station: "S1", camera: "CAM-01")))).EnsureSuccessStatusCode();
            (await secondClient.PostBatchAsync(Enumerable.Range(0, 10).Select(m => FactoryHttp.Event(last.AddMinutes(-m), worker: "W2", station: "S1", camera: "CAM-01")))).EnsureSuccessStatusCode();

            await AdvanceAsync(apps, TimeSpan.FromMinutes(10.5));
            foreach (var app in apps)
            {
                var context = await app.GetService<AlertEngine>().ContextAsync(TestContext.Current.CancellationToken);
                var silent = app.GetService<AlertEvaluator>().SilentCameras(app.Time.GetUtcNow().UtcDateTime, TimeSpan.FromMinutes(10), context.Calendar, context.Zone, context.Registry);
                Assert.Contains(silent, c => c.Camera == "CAM-01"); // each host on its own would open an alert
            }

            Assert.Single(apps, a => a.GetService<EvaluationLease>().IsHeld);
            var history = await HistoryAsync(firstClient);
            var alert = Assert.Single(history);
            Assert.Equal("CAM-01", alert.GetProperty("entity_id").GetString());
            Assert.Equal("open", alert.GetProperty("state").GetString());
            var id = alert.GetProperty("id").GetInt64();

            // The other host's pages read the open alerts again at its next timer pass (its cache may predate the alert).
            await AdvanceAsync(apps, TimeSpan.FromSeconds(5));
            Assert.Equal([id], await OpenIdsAsync(secondClient));
            Assert.Equal([id], await OpenIdsAsync(firstClient));

            // The holder stops (and releases the lease); the survivor takes over at its next timer pass and carries on
            // with the same alert instead of opening another one.
            var holder = apps.Single(a => a.GetService<EvaluationLease>().IsHeld);
            var survivor = apps.Single(a => a != holder);
            await holder.DisposeAsync();
            apps.Remove(holder);
            using var client = survivor.CreateClient();
            await AdvanceAsync(apps, TimeSpan.FromSeconds(5));
            Assert.True(survivor.GetService<EvaluationLease>().IsHeld, "the survivor took the lease");
            await AdvanceAsync(apps, TimeSpan.FromSeconds(5));
            Assert.Equal([id], (await HistoryAsync(client)).Select(a => a.GetProperty("id").GetInt64()));

            // CAM-01 reports again: the survivor resolves the alert the stopped instance opened.
            var now = survivor.Time.GetUtcNow();
            (await client.PostEventAsync(FactoryHttp.Event(now.AddSeconds(-1), worker: "W2", station: "S1", camera: "CAM-01"))).EnsureSuccessStatusCode();
            await Eventually.TrueAsync(async () => (await OpenIdsAsync(client)).Count == 0, "the alert resolved", TimeSpan.FromSeconds(20));
            var resolved = Assert.Single(await HistoryAsync(client));
            Assert.Equal(id, resolved.GetProperty("id").GetInt64());
            Assert.Equal("resolved", resolved.GetProperty("state").GetString());
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            if (database is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await using var connection = new NpgsqlConnection(admin);
                await connection.OpenAsync();
                await using var drop = connection.CreateCommand();
                drop.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    [Fact]
    public async Task Of_two_server_processes_on_postgres_one_holds_the_lease_and_the_other_takes_it_when_the_holder_is_killed()
    {
        var admin = Environment.GetEnvironmentVariable("FACTORY_TEST_POSTGRES");
        Requires.That(!string.IsNullOrEmpty(admin) && await CanConnectAsync(admin), "PostgreSQL (FACTORY_TEST_POSTGRES)");
        var database = "factory_lease_" + Guid.NewGuid().ToString("N")[..10];
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database }.ToString();
        var lease = TimeSpan.FromSeconds(3);
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = connectionString,
            ["Alerts:EvaluateEvery"] = "00:00:00.5",
            ["Alerts:LeaseDuration"] = "00:00:03",
        };

        try
        {
            await using var a = new ServerProcess(settings: settings);
            await using var b = new ServerProcess(settings: settings);
            await a.StartAsync(); // migrates first
            await Eventually.TrueAsync(async () => (await HolderAsync(connectionString)).Pid == a.ProcessId, "the first process took the lease", TimeSpan.FromSeconds(30));
            await b.StartAsync();

            // For three lease durations the second process tries the lease at every timer pass (each 0.5 s); the first
            // keeps renewing it, so it never changes hands.
            using var clientA = a.CreateClient();
            using var clientB = b.CreateClient();
            var (_, renewedFrom) = await HolderAsync(connectionString);
            var watchUntil = DateTime.UtcNow + 3 * lease;
            while (DateTime.UtcNow < watchUntil)
            {
                Assert.Equal(a.ProcessId, (await HolderAsync(connectionString)).Pid);
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }

            var (holder, renewedTo) = await HolderAsync(connectionString);
            Assert.Equal(a.ProcessId, holder);
            Assert.True(renewedTo > renewedFrom + lease, $"the holder renewed the lease ({renewedFrom:O} -> {renewedTo:O})");
            Assert.Equal(1, await MetricAsync(clientA, "factory_alerts_lease_held"));
            Assert.Equal(0, await MetricAsync(clientB, "factory_alerts_lease_held"));

            // kill -9: nothing is released. The lease runs out and the second process takes it within about one lease duration.
            await a.KillAsync();
            var killedAt = DateTime.UtcNow;
            await Eventually.TrueAsync(async () => (await HolderAsync(connectionString)).Pid == b.ProcessId, "the second process took the lease", TimeSpan.FromSeconds(30));
            var takeover = DateTime.UtcNow - killedAt;
            Assert.True(takeover < lease + TimeSpan.FromSeconds(10), $"taken over after {takeover.TotalSeconds:0.0} s");
            TestContext.Current.SendDiagnosticMessage($"lease taken over {takeover.TotalSeconds:0.0} s after the holder was killed");
            await Eventually.TrueAsync(async () => await MetricAsync(clientB, "factory_alerts_lease_held") == 1, "the survivor reports holding the lease on /metrics", TimeSpan.FromSeconds(10));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>The process id in the evaluation lease's owner ("host/pid/random"; 0 when released) and its expiry, read from the database.</summary>
    private static async Task<(int Pid, DateTime ExpiresAt)> HolderAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT owner, expires_at FROM leases WHERE name = 'alerts'";
        await using var reader = await read.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return (0, default);
        }

        var parts = reader.GetString(0).Split('/');
        return (parts.Length == 3 && int.TryParse(parts[1], out var pid) ? pid : 0, reader.GetDateTime(1));
    }

    [Fact]
    public async Task An_alert_another_evaluator_already_opened_is_adopted_not_opened_twice()
    {
        await using var app = new FactoryApp();
        using var client = app.CreateClient();
        var last = FactoryApp.Start.AddSeconds(-1);
        (await client.PostBatchAsync(Enumerable.Range(0, 10).Select(m => FactoryHttp.Event(last.AddMinutes(-m), worker: "W1", station: "S1", camera: "CAM-01")))).EnsureSuccessStatusCode();
        await AdvanceAsync([app], TimeSpan.FromSeconds(5));

        // Another evaluator (one whose lease ran out while it stalled, say) stored the same alert a moment before this
        // instance decides to open it: the unique index refuses the second row and the engine takes the stored one.
        long otherId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            var other = new AlertRecord
            {
                RuleId = 1,
                RuleName = "Camera silent during shift",
                Kind = AlertRuleKind.CameraSilent,
                Scope = AlertScope.Camera,
                EntityId = "CAM-01",
                Severity = AlertSeverity.Warning,
                State = AlertState.Open,
                Message = "Camera CAM-01 silent (stored by another instance)",
                StartedAt = last.UtcDateTime,
                OpenedAt = last.UtcDateTime.AddMinutes(10),
            };
            db.Alerts.Add(other);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            otherId = other.Id;
        }

        await AdvanceAsync([app], TimeSpan.FromMinutes(10.5));
        await AdvanceAsync([app], TimeSpan.FromSeconds(5));
        await AdvanceAsync([app], TimeSpan.FromSeconds(5));
        Assert.Equal([otherId], (await HistoryAsync(client)).Select(a => a.GetProperty("id").GetInt64()));
        Assert.Equal([otherId], await OpenIdsAsync(client));

        // The engine carries on with the adopted alert: CAM-01 reports again and that alert resolves.
        (await client.PostEventAsync(FactoryHttp.Event(app.Time.GetUtcNow().AddSeconds(-1), worker: "W1", station: "S1", camera: "CAM-01"))).EnsureSuccessStatusCode();
        await AdvanceAsync([app], TimeSpan.FromSeconds(5));
        var resolved = Assert.Single(await HistoryAsync(client));
        Assert.Equal(otherId, resolved.GetProperty("id").GetInt64());
        Assert.Equal("resolved", resolved.GetProperty("state").GetString());
    }

    /// <summary>A value on the instance's <c>/metrics</c> (0 when absent).</summary>
    private static async Task<double> MetricAsync(HttpClient client, string name)
    {
        var text = await client.GetStringAsync("metrics");
        var match = System.Text.RegularExpressions.Regex.Match(text, $@"(?m)^{name}(?:_total)?(?:\{{[^}}]*\}})? ([0-9.eE+-]+)$");
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    [Fact]
    public async Task The_database_refuses_a_second_unresolved_alert_for_one_rule_and_entity()
    {
        await using var app = new FactoryApp();
        using var client = app.CreateClient();
        AlertRecord Open(string entity) => new()
        {
            RuleId = 1,
            RuleName = "Camera silent during shift",
            Kind = AlertRuleKind.CameraSilent,
            Scope = AlertScope.Camera,
            EntityId = entity,
            Severity = AlertSeverity.Warning,
            State = AlertState.Open,
            Message = "silent",
            StartedAt = FactoryApp.Start.UtcDateTime,
            OpenedAt = FactoryApp.Start.UtcDateTime,
        };

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            db.Alerts.AddRange(Open("CAM-01"), Open("CAM-02"));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            db.Alerts.Add(Open("CAM-01"));
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(TestContext.Current.CancellationToken));
        }

        // Once the first is resolved, the rule may open another one for the same camera.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            var first = await db.Alerts.SingleAsync(a => a.EntityId == "CAM-01", TestContext.Current.CancellationToken);
            first.State = AlertState.Resolved;
            first.ResolvedAt = FactoryApp.Start.UtcDateTime.AddMinutes(5);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            db.Alerts.Add(Open("CAM-01"));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            Assert.Equal(2, await db.Alerts.CountAsync(a => a.EntityId == "CAM-01", TestContext.Current.CancellationToken));
        }
    }

    private static async Task AdvanceAsync(IReadOnlyList<FactoryApp> apps, TimeSpan by)
    {
        foreach (var app in apps)
        {
            app.Time.Advance(by);
        }

        foreach (var app in apps)
        {
            var target = app.Time.GetUtcNow().UtcDateTime;
            var engine = app.GetService<AlertEngine>();
            await Eventually.TrueAsync(() => engine.LastPassAt >= target, $"an alert pass ran at {target:HH:mm:ss}", TimeSpan.FromSeconds(30));
        }
    }

    private static async Task<List<JsonElement>> HistoryAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/alerts?rule_id=1&start_time=2026-01-21T00:00:00Z&end_time=2026-01-22T00:00:00Z"))
            .GetProperty("items").EnumerateArray().ToList();

    private static async Task<List<long>> OpenIdsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/alerts/open")).EnumerateArray()
            .Where(a => a.GetProperty("rule_id").GetInt32() == 1).Select(a => a.GetProperty("id").GetInt64()).ToList();

    private static async Task<bool> CanConnectAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
