using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>The durability promise: an acknowledged event survives <c>kill -9</c> of the server.</summary>
public sealed class CrashSafetyTests
{
    [Fact]
    public async Task Every_acknowledged_event_survives_kill_9_while_cameras_stream()
    {
        await using var server = new ServerProcess();
        await server.StartAsync();

        var acknowledged = new ConcurrentDictionary<string, long>();
        var baseTime = DateTimeOffset.UtcNow.AddMinutes(-30);
        using var stop = new CancellationTokenSource();
        var sequence = 0;

        async Task Camera(int camera)
        {
            using var client = server.CreateClient("camera");
            for (var round = 0; round < 5000 && !stop.IsCancellationRequested; round++)
            {
                var batchSize = round % 3 == 0 ? 20 : 1;
                var items = Enumerable.Range(0, batchSize).Select(_ =>
                {
                    var n = Interlocked.Increment(ref sequence);
                    return (Key: $"evt-{camera}-{n}", Body: FactoryHttp.Event(baseTime.AddMilliseconds(n), worker: $"W{camera % 6 + 1}",
                        station: $"S{camera % 6 + 1}", eventId: $"evt-{camera}-{n}"));
                }).ToList();
                try
                {
                    if (batchSize == 1)
                    {
                        using var response = await client.PostEventAsync(items[0].Body);
                        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
                        {
                            acknowledged[items[0].Key] = (await response.JsonAsync()).GetProperty("id").GetInt64();
                        }
                    }
                    else
                    {
                        using var response = await client.PostBatchAsync(items.Select(i => i.Body));
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            var json = await response.JsonAsync();
                            foreach (var result in json.GetProperty("results").EnumerateArray())
                            {
                                acknowledged[items[result.GetProperty("index").GetInt32()].Key] = result.GetProperty("id").GetInt64();
                            }
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or JsonException)
                {
                    // The server is gone: these events were never acknowledged.
                }
            }
        }

        var cameras = Enumerable.Range(0, 8).Select(c => Task.Run(() => Camera(c))).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (acknowledged.Count < 500 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await server.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(cameras);
        Assert.True(acknowledged.Count >= 500, $"only {acknowledged.Count} events were acknowledged before the kill");

        await server.StartAsync();
        using var reader = server.CreateClient("viewer");
        var stored = new Dictionary<string, long>();
        string? cursor = null;
        do
        {
            var page = await reader.GetFromJsonAsync<JsonElement>("api/events?limit=1000" + (cursor is null ? "" : "&cursor=" + cursor));
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                stored[item.GetProperty("event_id").GetString()!] = item.GetProperty("id").GetInt64();
            }

            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        var missing = acknowledged.Where(a => !stored.TryGetValue(a.Key, out var id) || id != a.Value).Select(a => a.Key).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged events are missing after the crash, e.g. {string.Join(", ", missing.Take(5))}");
    }
}
