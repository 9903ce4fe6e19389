using Factory.Core.Metrics;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>A window of the present while events keep arriving (a dashboard's window during ingestion).</summary>
public sealed class LiveWindowTests : ApiTest
{
    [Fact]
    public async Task Window_of_the_present_counts_events_received_after_it_was_resolved_and_a_fixed_as_of_does_not()
    {
        var client = _app.CreateClient();
        var start = FactoryApp.Start.UtcDateTime;
        (await client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-40)))).EnsureSuccessStatusCode();
        var metrics = _app.GetService<IMetricsService>();
        var live = metrics.ResolveWindow(start.AddHours(-1), null, null);
        var fixedAsOf = new MetricsWindow(live.Start, live.End, live.AsOf);

        // Received after both windows were resolved, with a timestamp inside them.
        _app.Time.Advance(TimeSpan.FromMinutes(10));
        (await client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-20), type: "product_count", count: 4))).EnsureSuccessStatusCode();

        var now = (await metrics.GetWorkersAsync(live, "W1")).Single();
        var then = (await metrics.GetWorkersAsync(fixedAsOf, "W1")).Single();

        Assert.True(live.Live);
        Assert.Equal(4, now.TotalUnitsProduced);
        Assert.Equal(0, then.TotalUnitsProduced);
    }
}
