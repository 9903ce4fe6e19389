using Factory.Core.Events;
using Factory.Core.Live;
using Factory.Web.Dashboard;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Factory.Tests.Components;

/// <summary>Figures shared between dashboards: computed once per moment, never older than the events a dashboard was told of.</summary>
public sealed class SharedFiguresTests : IDisposable
{
    private readonly EventNotifier _notifier = new(NullLogger<EventNotifier>.Instance);
    private readonly FakeTimeProvider _time = new(DashboardTestContext.Now);
    private readonly SharedFigures _shared;
    private int _computations;

    public SharedFiguresTests() => _shared = new SharedFigures(_notifier, _time);

    private Task<string> Compute() => Task.FromResult($"computation {Interlocked.Increment(ref _computations)}");

    private Task PublishAsync(long id)
    {
        var e = DashboardTestContext.Event(EventType.Working);
        e.Id = id;
        return _notifier.PublishAsync(new EventsCommitted([e], DashboardTestContext.Now.UtcDateTime)).AsTask();
    }

    [Fact]
    public async Task Dashboards_refreshing_for_the_same_event_share_one_computation()
    {
        await PublishAsync(10);

        var results = new List<string>();
        for (var dashboard = 0; dashboard < 50; dashboard++)
        {
            results.Add(await _shared.GetAsync("overview?range=24h", seenEventId: 10, Compute));
        }

        Assert.Equal(1, _computations);
        Assert.All(results, r => Assert.Equal("computation 1", r));
        Assert.Equal(49, _shared.Reused);
    }

    [Fact]
    public async Task A_dashboard_told_of_a_newer_event_never_gets_figures_computed_before_it()
    {
        await PublishAsync(10);
        Assert.Equal("computation 1", await _shared.GetAsync("k", 10, Compute));

        await PublishAsync(11);

        Assert.Equal("computation 2", await _shared.GetAsync("k", 11, Compute));
        Assert.Equal("computation 2", await _shared.GetAsync("k", 10, Compute));
    }

    [Fact]
    public async Task Figures_older_than_the_limit_are_computed_again_and_catch_up_always_computes()
    {
        Assert.Equal("computation 1", await _shared.GetAsync("k", 0, Compute));
        _time.Advance(SharedFigures.MaxAge);
        Assert.Equal("computation 2", await _shared.GetAsync("k", 0, Compute));
        Assert.Equal("computation 3", await _shared.GetAsync("k", long.MaxValue, Compute));
        Assert.Equal("computation 1 of other", await _shared.GetAsync("other", 0, () => Task.FromResult("computation 1 of other")));
    }

    [Fact]
    public async Task A_failed_computation_is_not_shared()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _shared.GetAsync<string>("k", 0, () => throw new InvalidOperationException("database down")));

        Assert.Equal("computation 1", await _shared.GetAsync("k", 0, Compute));
    }

    public void Dispose() => _shared.Dispose();
}
