using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace Factory.Tests.Api;

/// <summary>Two instances sharing real PostgreSQL and Redis show one live picture.</summary>
public sealed class ScaleOutTests
{
    [Fact]
    public async Task Event_posted_to_one_instance_reaches_the_other_instances_hub_clients_and_both_instances_metrics()
    {
        var postgres = Environment.GetEnvironmentVariable("FACTORY_TEST_POSTGRES");
        var redis = Environment.GetEnvironmentVariable("FACTORY_TEST_REDIS");
        Requires.That(!string.IsNullOrEmpty(postgres) && await CanConnectAsync(postgres), "PostgreSQL (FACTORY_TEST_POSTGRES)");
        Requires.That(!string.IsNullOrEmpty(redis), "Redis (FACTORY_TEST_REDIS)");

        var database = "factory_scale_" + Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ToString(),
            ["Redis:Connection"] = redis!,
            ["Redis:ChannelPrefix"] = database,
            ["Redis:RelaySecret"] = "scale-out-relay-secret-" + database,
        };

        try
        {
            await using var a = new ServerProcess(settings: settings);
            await using var b = new ServerProcess(settings: settings);
            await a.StartAsync(); // migrates first, so the two instances never race on the schema
            await b.StartAsync();

            var received = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(b.BaseAddress, "hubs/live"), o => o.Headers["X-Api-Key"] = FactoryApp.KeyFor("viewer"))
                .Build();
            hub.On<JsonElement>("events", batch =>
            {
                foreach (var e in batch.EnumerateArray())
                {
                    if (e.GetProperty("event_id").GetString() == "scale-out-1")
                    {
                        received.TrySetResult(e);
                    }
                }
            });
            await hub.StartAsync();

            var timestamp = DateTimeOffset.UtcNow.AddMinutes(-1);
            using var camera = a.CreateClient("camera");
            var product = FactoryHttp.Event(timestamp, worker: "W3", station: "S3", type: "product_count", count: 7, eventId: "scale-out-1");
            (await camera.PostEventAsync(product)).EnsureSuccessStatusCode();

            var pushed = await received.Task.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal("W3", pushed.GetProperty("worker_id").GetString());

            foreach (var instance in new[] { a, b })
            {
                using var viewer = instance.CreateClient("viewer");
                var deadline = DateTime.UtcNow.AddSeconds(10);
                long units;
                do
                {
                    var station = await viewer.GetFromJsonAsync<JsonElement>("api/metrics/workstations?workstation_id=S3");
                    units = station[0].GetProperty("total_units_produced").GetInt64();
                    if (units == 7)
                    {
                        break;
                    }

                    await Task.Delay(100);
                }
                while (DateTime.UtcNow < deadline);

                Assert.Equal(7, units);
            }
        }
        finally
        {
            await DropAsync(postgres!, database);
        }
    }

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

    private static async Task DropAsync(string admin, string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var drop = connection.CreateCommand();
        drop.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
        await drop.ExecuteNonQueryAsync();
    }
}
