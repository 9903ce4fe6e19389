using Bunit;
using Factory.Core.Events;
using Factory.Core.Live;
using Factory.Web.Components.Pages;
using Factory.Web.Dashboard;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Components;

public sealed class OverviewTests : DashboardTestContext
{
    private void SeedFigures()
    {
        Metrics.Factory = Factory(working: 30, tracked: 40, units: 180, active: 4);
        Metrics.Today = Factory(working: 20, tracked: 25, units: 1234, active: 4);
        Metrics.Workers = [Worker("W1", "Amara Okafor", 7.5, 0.5, 0, 45), Worker("W2", "Lukas Brenner", 3, 3, 0, 10)];
        Metrics.Stations = [Station("S1", 49.9), Station("S2", 50.0), Station("S3", 85.0)];
        Log.Events.Add(Event(EventType.Working, minutesAgo: 2));
    }

    [Fact]
    public void Kpis_show_the_engine_figures_with_units()
    {
        SeedFigures();
        var cut = Context.Render<Overview>();

        cut.WaitUntil(() => Assert.Equal("4 / 6", cut.Find("[data-kpi=active-workers] .kpi-value").TextContent));
        Assert.Equal("75.0 %", cut.Find("[data-kpi=utilization] .kpi-value").TextContent);
        Assert.Equal("1,234", cut.Find("[data-kpi=units-today] .kpi-value").TextContent);
        Assert.Equal("6.0 u/h", cut.Find("[data-kpi=units-per-hour] .kpi-value").TextContent);
        Assert.Equal("—", cut.Find("[data-kpi=model-health] .kpi-value").TextContent);
        Assert.Contains("30 h 0 m working of 40 h 0 m tracked", cut.Find("[data-kpi=utilization] .kpi-caption").TextContent);
        Assert.Contains("util-low", cut.Find("[data-station=S1]").ClassList);
        Assert.Contains("util-normal", cut.Find("[data-station=S2]").ClassList);
        Assert.Contains("util-high", cut.Find("[data-station=S3]").ClassList);
    }

    [Fact]
    public void Model_health_card_and_alerts_show_the_model_health_report()
    {
        SeedFigures();
        Health.Report = new global::Factory.Core.ModelHealth.ModelHealthReport(global::Factory.Core.ModelHealth.HealthStatus.Critical, 0.71, 100, "Low confidence detected.", Now.UtcDateTime, [], [],
            [new global::Factory.Core.ModelHealth.ModelAlert("drop:CAM-04", global::Factory.Core.ModelHealth.AlertKind.ConfidenceDrop, global::Factory.Core.ModelHealth.HealthStatus.Warning, "CAM-04", "Camera CAM-04 confidence dropped 12 %.", Now.UtcDateTime.AddMinutes(-2))]);

        var cut = Context.Render<Overview>();
        cut.WaitUntil(() => Assert.Equal("Critical", cut.Find("[data-kpi=model-health] .kpi-value").TextContent));
        Assert.Contains("health-critical", cut.Find("[data-kpi=model-health]").ClassList);
        Assert.Equal("avg confidence 0.71 · last 100 events", cut.Find("[data-kpi=model-health] .kpi-caption").TextContent);
        Assert.Contains("Confidence drop on CAM-04", cut.Markup);
        Assert.Equal("/events?camera_id=CAM-04", cut.FindAll(".alert-title a").First(a => a.TextContent.Contains("CAM-04", StringComparison.Ordinal)).GetAttribute("href"));
    }

    [Fact]
    public void Default_range_is_the_last_24_hours_ending_now()
    {
        SeedFigures();
        var cut = Context.Render<Overview>();
        cut.WaitUntil(() => Assert.NotEmpty(Metrics.Windows));
        lock (Metrics.Windows)
        {
            Assert.Equal(Now.UtcDateTime.AddHours(-24), Metrics.Windows[0].Start);
            Assert.Equal(Now.UtcDateTime, Metrics.Windows[0].End);
            // "Units today" starts at local midnight.
            Assert.Equal(new DateTime(2026, 1, 21, 0, 0, 0, DateTimeKind.Utc), Metrics.Windows[1].Start);
        }
    }

    [Fact]
    public void A_custom_range_beyond_the_window_limit_shows_a_message_beside_the_picker_and_the_last_24_hours()
    {
        SeedFigures();
        Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>()
            .NavigateTo("/?range=custom&from=0001-01-01T00:00Z");
        var cut = Context.Render<Overview>();

        cut.WaitForAssertion(() => Assert.NotEmpty(Metrics.Windows));
        var problem = cut.Find(".range-picker [data-range-problem]").TextContent;
        Assert.Contains("Limits:MaxWindow", problem, StringComparison.Ordinal);
        Assert.Contains("Showing the last 24 h", problem, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".error-state"));
        lock (Metrics.Windows)
        {
            Assert.All(Metrics.Windows, w => Assert.True(w.End - w.Start <= TimeSpan.FromHours(24), $"a window of {w.End - w.Start} was computed"));
        }
    }

    [Fact]
    public void A_custom_range_within_the_limits_is_shown_without_a_message()
    {
        SeedFigures();
        Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>()
            .NavigateTo("/?range=custom&from=2026-01-01T00:00Z&to=2026-01-21T00:00Z");
        var cut = Context.Render<Overview>();

        cut.WaitForAssertion(() => Assert.NotEmpty(Metrics.Windows));
        Assert.Empty(cut.FindAll("[data-range-problem]"));
        lock (Metrics.Windows)
        {
            Assert.Equal(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), Metrics.Windows[0].Start);
        }
    }

    [Fact]
    public void An_empty_factory_says_what_to_do()
    {
        var cut = Context.Render<Overview>();
        cut.WaitUntil(() => Assert.Contains("No events yet — run the simulator or seed demo data from", cut.Markup));
        Assert.Contains("No active alerts.", cut.Markup);
        Assert.Contains("No tracked time in this range", cut.Markup);
    }

    [Fact]
    public async Task A_published_event_appears_in_the_stream_and_updates_the_kpis()
    {
        SeedFigures();
        var cut = Context.Render<Overview>();
        cut.WaitUntil(() => Assert.Single(cut.FindAll("li.stream-row")));
        Assert.Equal("1,234", cut.Find("[data-kpi=units-today] .kpi-value").TextContent);

        Metrics.Today = Factory(working: 20, tracked: 25, units: 1239, active: 5);
        Metrics.Factory = Factory(working: 31, tracked: 40, units: 185, active: 5);
        var product = Event(EventType.ProductCount, worker: "W3", station: "S2", minutesAgo: 0, count: 5);
        Log.Events.Add(product);
        await Notifier.PublishAsync(new EventsCommitted([product], Now.UtcDateTime));

        cut.WaitUntil(() =>
        {
            var rows = cut.FindAll("li.stream-row");
            Assert.Equal(2, rows.Count);
            Assert.Equal(product.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), rows[0].GetAttribute("data-event-id"));
            Assert.Contains("state-product", rows[0].ClassList);
        });
        cut.WaitUntil(() => Assert.Equal("1,239", cut.Find("[data-kpi=units-today] .kpi-value").TextContent));
        Assert.Equal("5 / 6", cut.Find("[data-kpi=active-workers] .kpi-value").TextContent);
    }

    [Fact]
    public async Task After_a_reconnect_the_page_catches_up_with_what_was_stored_while_the_link_was_down()
    {
        SeedFigures();
        var cut = Context.Render<Overview>();
        cut.WaitUntil(() => Assert.Single(cut.FindAll("li.stream-row")));
        var signal = Context.Services.GetRequiredService<ReconnectSignal>();
        await signal.OnConnectionDownAsync(null!, Xunit.TestContext.Current.CancellationToken);

        // Stored while the browser was away: no notification reaches this circuit.
        var missed = Event(EventType.ProductCount, worker: "W2", station: "S1", minutesAgo: 0, count: 7);
        Log.Events.Add(missed);
        Metrics.Today = Factory(working: 20, tracked: 25, units: 1241, active: 4);
        Assert.Equal("1,234", cut.Find("[data-kpi=units-today] .kpi-value").TextContent);

        await signal.OnConnectionUpAsync(null!, Xunit.TestContext.Current.CancellationToken);

        cut.WaitUntil(() => Assert.Equal("1,241", cut.Find("[data-kpi=units-today] .kpi-value").TextContent));
        cut.WaitUntil(() => Assert.Equal(
            missed.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            cut.FindAll("li.stream-row")[0].GetAttribute("data-event-id")));
    }

    [Fact]
    public async Task Wall_screens_on_the_same_range_share_one_computation_per_refresh()
    {
        SeedFigures();
        var screens = Enumerable.Range(0, 5).Select(_ => Context.Render<Overview>()).ToList();
        foreach (var screen in screens)
        {
            screen.WaitUntil(() => Assert.Single(screen.FindAll("li.stream-row")));
        }

        Assert.Equal(2, Metrics.FactoryCalls); // one computation (the range and today) for five screens
        Metrics.Today = Factory(working: 20, tracked: 25, units: 1300, active: 4);
        var product = Event(EventType.ProductCount, minutesAgo: 0, count: 66);
        await Notifier.PublishAsync(new EventsCommitted([product], Now.UtcDateTime));

        foreach (var screen in screens)
        {
            screen.WaitUntil(() => Assert.Equal("1,300", screen.Find("[data-kpi=units-today] .kpi-value").TextContent));
        }

        Assert.Equal(4, Metrics.FactoryCalls);
    }

    [Fact]
    public async Task A_burst_of_events_is_rendered_in_few_refreshes()
    {
        SeedFigures();
        var cut = Context.Render<Overview>();
        cut.WaitUntil(() => Assert.Single(cut.FindAll("li.stream-row")));
        var initialCalls = Metrics.FactoryCalls;

        var first = Event(EventType.ProductCount, minutesAgo: 0);
        await Notifier.PublishAsync(new EventsCommitted([first], Now.UtcDateTime));
        cut.WaitUntil(() => Assert.Equal(Id(first), cut.FindAll("li.stream-row")[0].GetAttribute("data-event-id")));
        Assert.Equal(initialCalls + 2, Metrics.FactoryCalls);

        // The fixed clock has not moved, so the burst waits for the next refresh slot, a quarter second later,
        // and then arrives as one refresh (two factory queries: the range and today), not 299.
        FactoryEvent? last = null;
        for (var i = 0; i < 299; i++)
        {
            last = Event(EventType.ProductCount, minutesAgo: 0);
            await Notifier.PublishAsync(new EventsCommitted([last], Now.UtcDateTime));
        }

        Time.Advance(LiveFeed.DefaultInterval);
        cut.WaitUntil(() => Assert.Equal(Id(last!), cut.FindAll("li.stream-row")[0].GetAttribute("data-event-id")));
        Assert.Equal(initialCalls + 4, Metrics.FactoryCalls);
        Assert.Equal(25, cut.FindAll("li.stream-row").Count);
    }

    [Fact]
    public async Task Disposing_the_page_unsubscribes_from_the_notifier()
    {
        SeedFigures();
        _ = Context.Services.GetRequiredService<SharedFigures>(); // a singleton that listens for the whole process
        var baseline = Notifier.SubscriberCount;
        var cut = Context.Render<Overview>();
        cut.WaitUntil(() => Assert.Equal(baseline + 1, Notifier.SubscriberCount));
        await Context.DisposeComponentsAsync();
        Assert.Equal(baseline, Notifier.SubscriberCount);
    }

    [Fact]
    public void A_failing_engine_shows_an_error_state_without_the_exception_text()
    {
        Metrics.Failure = new InvalidOperationException("SQLite Error 14: unable to open database file '/srv/secret/factory.db'");
        var cut = Context.Render<Overview>();
        cut.WaitUntil(() => Assert.Contains("Could not load the figures.", cut.Markup));
        Assert.DoesNotContain("SQLite", cut.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("/srv/secret", cut.Markup, StringComparison.Ordinal);
        Assert.Matches("reference [0-9a-f]{8}", cut.Markup);
        Assert.Equal("—", cut.Find("[data-kpi=utilization] .kpi-value").TextContent);
    }

    private static string Id(FactoryEvent e) => e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
