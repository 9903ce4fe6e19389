using System.Net.Http.Json;
using System.Text.Json;
using Factory.Core.Alerts;
using Factory.Core.Data;
using Factory.Tests.Edge;
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
            await Eventually.TrueAsync(() => OpenIdsAsync(secondClient).GetAwaiter().GetResult().SequenceEqual([id]), "the second host lists the one open alert", TimeSpan.FromSeconds(20));
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
            await Eventually.TrueAsync(() => OpenIdsAsync(client).GetAwaiter().GetResult().Count == 0, "the alert resolved", TimeSpan.FromSeconds(20));
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
    public async Task The_database_refuses_a_second_unresolved_alert_for_one_rule_and_entity()
    {
        await using var app = new FactoryApp();
        using var client = app.CreateClient();
        AlertRecord Open(string entity) => new()
        {
            RuleId = 1, RuleName = "Camera silent during shift", Kind = AlertRuleKind.CameraSilent, Scope = AlertScope.Camera, EntityId = entity,
            Severity = AlertSeverity.Warning, State = AlertState.Open, Message = "silent", StartedAt = FactoryApp.Start.UtcDateTime, OpenedAt = FactoryApp.Start.UtcDateTime,
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
