using Factory.Core.Events;
using Factory.Core.Live;
using Factory.Web.Dashboard;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Factory.Tests.Components;

public sealed class LiveFeedTests
{
    private readonly EventNotifier _notifier = new(NullLogger<EventNotifier>.Instance);
    private readonly FakeTimeProvider _time = new(DashboardTestContext.Now);

    [Fact]
    public async Task A_burst_is_coalesced_into_at_most_one_refresh_per_interval()
    {
        var batches = new List<LiveBatch>();
        await using var feed = new LiveFeed(_notifier, _time, b => { lock (batches) { batches.Add(b); } return Task.CompletedTask; });

        await _notifier.PublishAsync(new EventsCommitted([DashboardTestContext.Event(EventType.Working)], DashboardTestContext.Now.UtcDateTime));
        await WaitUntil(() => Count(batches) == 1);

        for (var i = 0; i < 500; i++)
        {
            await _notifier.PublishAsync(new EventsCommitted([DashboardTestContext.Event(EventType.ProductCount)], DashboardTestContext.Now.UtcDateTime));
        }

        // The clock has not moved: the second refresh waits for the interval, however many events arrive.
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Equal(1, Count(batches));

        _time.Advance(LiveFeed.DefaultInterval);
        await WaitUntil(() => Count(batches) == 2);
        lock (batches)
        {
            Assert.Equal(500, batches[1].Events.Count);
        }
    }

    [Fact]
    public async Task Events_the_filter_rejects_cause_no_refresh_and_dispose_unsubscribes()
    {
        var calls = 0;
        var feed = new LiveFeed(_notifier, _time, _ => { Interlocked.Increment(ref calls); return Task.CompletedTask; }, e => e.WorkerId == "W2");
        Assert.Equal(1, _notifier.SubscriberCount);

        await _notifier.PublishAsync(new EventsCommitted([DashboardTestContext.Event(EventType.Working, worker: "W1")], DashboardTestContext.Now.UtcDateTime));
        await _notifier.PublishAsync(new EventsCommitted([DashboardTestContext.Event(EventType.Working, worker: "W2")], DashboardTestContext.Now.UtcDateTime));
        await WaitUntil(() => Volatile.Read(ref calls) == 1);

        await feed.DisposeAsync();
        Assert.Equal(0, _notifier.SubscriberCount);
    }

    [Fact]
    public async Task A_catch_up_refreshes_without_new_events()
    {
        var batches = new List<LiveBatch>();
        await using var feed = new LiveFeed(_notifier, _time, b => { lock (batches) { batches.Add(b); } return Task.CompletedTask; });
        feed.RequestCatchUp();
        await WaitUntil(() => Count(batches) == 1);
        lock (batches)
        {
            Assert.True(batches[0].CatchUp);
            Assert.Empty(batches[0].Events);
        }
    }

    private static int Count(List<LiveBatch> batches)
    {
        lock (batches)
        {
            return batches.Count;
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Condition not met within 5 s.");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
