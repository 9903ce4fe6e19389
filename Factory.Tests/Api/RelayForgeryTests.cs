using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Factory.Core.Live;
using Factory.Tests.Infrastructure;
using Factory.Web.Live;
using StackExchange.Redis;

namespace Factory.Tests.Api;

/// <summary>
/// Against real Redis: a message published on the live relay's channel by anyone who does not know
/// Redis:RelaySecret (unsigned, signed with another secret, replayed, or carrying an invalid event) changes no figure
/// and no live view, and is counted on /metrics; a genuinely signed message is applied, so the check is what stops them.
/// </summary>
public sealed class RelayForgeryTests
{
    private const string Secret = "relay-secret-for-tests-3b7e91d4";

    [Fact]
    public async Task Forged_and_replayed_relay_messages_change_nothing_and_are_counted()
    {
        var redis = Environment.GetEnvironmentVariable("FACTORY_TEST_REDIS");
        Requires.That(!string.IsNullOrEmpty(redis), "Redis (FACTORY_TEST_REDIS)");
        var ct = TestContext.Current.CancellationToken;
        var prefix = "relay-test-" + Guid.NewGuid().ToString("N")[..8];
        await using var app = new FactoryApp(new Dictionary<string, string?>
        {
            ["Redis:Connection"] = redis,
            ["Redis:ChannelPrefix"] = prefix,
            ["Redis:RelaySecret"] = Secret,
        });
        using var viewer = app.CreateClientAs("viewer");
        var relayed = 0;
        using var subscription = app.GetService<IEventNotifier>().Subscribe(n =>
        {
            if (n.Remote)
            {
                Interlocked.Increment(ref relayed);
            }

            return ValueTask.CompletedTask;
        });
        Assert.Equal(0, await UnitsAtS3Async(viewer)); // builds the in-memory index, which relayed events would join

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis!);
        var publisher = connection.GetSubscriber();
        var channel = RedisChannel.Literal(prefix + ":events");
        var metrics = app.GetService<RelayMetrics>();

        var body = Envelope(instance: "attacker", sequence: 1, units: 500);
        byte[][] forgeries =
        [
            body,                                                                    // no signature at all
            RelayMessages.Sign(Encoding.UTF8.GetBytes("another-secret-0123456789"), body), // signed with a guessed secret
            RelayMessages.Sign(Encoding.UTF8.GetBytes(Secret), Envelope("insider", 1, units: 500, worker: "")), // an invalid event
            RelayMessages.Sign(Encoding.UTF8.GetBytes(Secret), Envelope("insider", 2, units: 500, committedAt: FactoryApp.Start.AddHours(-1))), // stale
            Encoding.UTF8.GetBytes("not even json"),
        ];

        // Redis answers a publish with the number of subscribers that received it: wait until the relay listens.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long receivers;
        while ((receivers = await publisher.PublishAsync(channel, forgeries[0])) == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, ct);
        }

        Assert.True(receivers >= 1, "the relay never subscribed");
        foreach (var forgery in forgeries.Skip(1))
        {
            Assert.True(await publisher.PublishAsync(channel, forgery) >= 1);
        }

        await WaitUntilAsync(() => metrics.Rejected >= forgeries.Length, "every forgery was looked at");
        Assert.Equal(0, await UnitsAtS3Async(viewer));
        Assert.Equal(0, Volatile.Read(ref relayed));

        // The one message signed with the secret is applied; the same message again is a replay and is not.
        var genuine = RelayMessages.Sign(Encoding.UTF8.GetBytes(Secret), Envelope("instance-b", 1, units: 7));
        Assert.True(await publisher.PublishAsync(channel, genuine) >= 1);
        await WaitUntilAsync(() => Volatile.Read(ref relayed) == 1, "the genuine message was applied");
        Assert.Equal(7, await UnitsAtS3Async(viewer));

        var rejectedBefore = metrics.Rejected;
        Assert.True(await publisher.PublishAsync(channel, genuine) >= 1);
        await WaitUntilAsync(() => metrics.Rejected == rejectedBefore + 1, "the replay was refused");
        Assert.Equal(7, await UnitsAtS3Async(viewer));
        Assert.Equal(1, Volatile.Read(ref relayed));

        var scrape = await app.CreateClient().GetStringAsync("/metrics", ct);
        Assert.Contains("factory_relay_messages_rejected", scrape, StringComparison.Ordinal);
        Assert.Contains("reason=\"signature\"", scrape, StringComparison.Ordinal);
    }

    private static async Task<long> UnitsAtS3Async(HttpClient viewer)
    {
        var stations = await viewer.GetFromJsonAsync<JsonElement>("/api/metrics/workstations?workstation_id=S3");
        return stations[0].GetProperty("total_units_produced").GetInt64();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>A relay body in the instances' own format: one product event of <paramref name="units"/> at S3.</summary>
    private static byte[] Envelope(string instance, long sequence, int units, string worker = "W3", DateTimeOffset? committedAt = null)
    {
        var at = (committedAt ?? FactoryApp.Start).UtcDateTime;
        var timestamp = FactoryApp.Start.AddMinutes(-10).UtcDateTime;
        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            Instance = instance,
            Sequence = sequence,
            CommittedAt = at,
            Events = new[]
            {
                new { Id = 900_000 + sequence, Ts = timestamp.Ticks, Rcv = at.Ticks, W = worker, S = "S3", T = 3, C = 0.95, N = units, Cam = "CAM-03", Mv = "yolov8-v2.1", Eid = (string?)null, Low = false },
            },
        });
    }
}
