using System.Text.Json;
using Factory.Core.Mqtt;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Factory.Tests.Mqtt;

/// <summary>
/// The server in memory with MQTT ingestion on, subscribed to a test broker. It runs on the real clock: reconnection
/// backoff must elapse, and events carry the current time.
/// </summary>
internal sealed class MqttTestApp(MosquittoBroker broker, IDictionary<string, string?>? settings = null)
    : FactoryApp(Settings(broker, settings))
{
    private static Dictionary<string, string?> Settings(MosquittoBroker broker, IDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mqtt:Enabled"] = "true",
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mqtt:ClientId"] = "factory-test-" + Guid.NewGuid().ToString("N")[..12],
            ["Mqtt:ReconnectDelay"] = "00:00:00.100",
            ["Mqtt:MaxReconnectDelay"] = "00:00:01",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public MqttConnectionSnapshot Connection => GetService<MqttConnectionStatus>().Current;

    /// <summary>Starts the host and waits until it is subscribed (a message published earlier would find no subscriber).</summary>
    public async Task WaitUntilSubscribedAsync()
    {
        _ = Services;
        await Infrastructure.Eventually.TrueAsync(() => Connection.State == MqttConnectionState.Connected, "the server is subscribed to the broker", TimeSpan.FromSeconds(30));
    }

    /// <summary>The <c>event_id</c> of every stored event, through the API.</summary>
    public async Task<List<string>> StoredEventIdsAsync()
    {
        using var client = CreateClientAs("viewer");
        return await StoredEvents.IdsAsync(client);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton(TimeProvider.System);
        });
    }
}

/// <summary>Reads stored events back through <c>GET /api/events</c>, every page.</summary>
internal static class StoredEvents
{
    public static async Task<List<string>> IdsAsync(HttpClient viewer)
    {
        var ids = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 1000; page++)
        {
            var url = "api/events?limit=1000" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var document = JsonDocument.Parse(await viewer.GetStringAsync(url));
            ids.AddRange(document.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("event_id").GetString() ?? ""));
            var next = document.RootElement.GetProperty("next_cursor");
            if (next.ValueKind == JsonValueKind.Null)
            {
                return ids;
            }

            cursor = next.GetString();
        }

        Assert.Fail("More pages than expected.");
        return ids;
    }
}
