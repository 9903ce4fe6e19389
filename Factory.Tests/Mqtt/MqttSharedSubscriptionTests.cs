using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Edge;
using Factory.Tests.Infrastructure;
using MQTTnet;
using Npgsql;

namespace Factory.Tests.Mqtt;

/// <summary>Two instances on one PostgreSQL share the camera topics ($share/…) and store every event once.</summary>
public sealed class MqttSharedSubscriptionTests
{
    [Fact]
    public async Task Two_instances_in_one_shared_group_split_the_messages_and_store_each_event_once()
    {
        var postgres = Environment.GetEnvironmentVariable("FACTORY_TEST_POSTGRES");
        Requires.That(!string.IsNullOrEmpty(postgres) && await CanConnectAsync(postgres), "PostgreSQL (FACTORY_TEST_POSTGRES)");
        await using var broker = await MosquittoBroker.Start();
        var database = "factory_mqtt_" + Guid.NewGuid().ToString("N")[..10];
        Dictionary<string, string> Settings(string instance) => new()
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ToString(),
            ["Mqtt:Enabled"] = "true",
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mqtt:SharedGroup"] = "factory",
            ["Mqtt:ClientId"] = $"{database}-{instance}",
        };

        try
        {
            await using var a = new ServerProcess(settings: Settings("a"));
            await using var b = new ServerProcess(settings: Settings("b"));
            await a.StartAsync(TimeSpan.FromSeconds(180)); // migrates first, so the two instances never race on the schema
            await b.StartAsync(TimeSpan.FromSeconds(180));
            using var viewerA = a.CreateClient("viewer");
            using var viewerB = b.CreateClient("viewer");
            foreach (var viewer in new[] { viewerA, viewerB })
            {
                await Eventually.TrueAsync(async () => (await viewer.GetFromJsonAsync<JsonElement>("health/ready")).GetProperty("checks").GetProperty("mqtt").GetString() == "Healthy",
                    "both instances are subscribed", TimeSpan.FromSeconds(60));
            }

            await using var camera = await MqttTestClient.ConnectAsync(broker.Address);
            var origin = DateTimeOffset.UtcNow.AddMinutes(-20);
            const int messages = 100;
            for (var n = 0; n < messages; n++)
            {
                var events = Enumerable.Range(0, 3).Select(i => FactoryHttp.Event(origin.AddMilliseconds(n * 3 + i), worker: $"W{i + 1}", station: $"S{i + 1}",
                    camera: $"CAM-0{n % 6 + 1}", eventId: $"shared-{n}-{i}")).ToArray();
                var ack = await camera.PublishAsync($"factory/CAM-0{n % 6 + 1}/events", JsonSerializer.Serialize(events));
                Assert.Equal(MqttClientPublishReasonCode.Success, ack.ReasonCode);
            }

            await Eventually.TrueAsync(async () => (await StoredEvents.IdsAsync(viewerA)).Count >= messages * 3, "every event is stored", TimeSpan.FromSeconds(60));
            var stored = await StoredEvents.IdsAsync(viewerB);
            Assert.Equal(messages * 3, stored.Count);
            Assert.Equal(messages * 3, stored.Distinct().Count());

            var byA = await MqttIngestionTests.MetricAsync(viewerA, "factory_mqtt_messages_acknowledged");
            var byB = await MqttIngestionTests.MetricAsync(viewerB, "factory_mqtt_messages_acknowledged");
            TestContext.Current.TestOutputHelper?.WriteLine($"instance a acknowledged {byA} messages, b {byB}");
            Assert.Equal(messages, byA + byB);
            Assert.True(byA > 0 && byB > 0, $"both instances took a share ({byA} and {byB})");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)";
            await drop.ExecuteNonQueryAsync();
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
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return false;
        }
    }
}
