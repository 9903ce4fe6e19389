using System.Net;
using Factory.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Factory.Tests.Browser;

/// <summary>The daily report in a real Chromium: figures from posted events, and what is left on paper.</summary>
public sealed class ReportsBrowserTests(BrowserServer server) : IClassFixture<BrowserServer>
{
    private void RequireBrowser() => Requires.That(server.Available, $"Chromium ({BrowserServer.ChromiumPath})");

    /// <summary>Half an hour of work by W4 at S5 ending now, with 9 units; today in factory time (UTC here) holds it.</summary>
    private async Task PostRecentWorkAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var start = now.AddMinutes(-30) < new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero) ? new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero) : now.AddMinutes(-30);
        var events = new List<object>();
        for (var t = start; t < now.AddSeconds(-5); t = t.AddMinutes(2))
        {
            events.Add(FactoryHttp.Event(t, worker: "W4", station: "S5", type: "working"));
        }

        events.Add(FactoryHttp.Event(now.AddSeconds(-3), worker: "W4", station: "S5", type: "product_count", count: 9));
        using var camera = server.Api("camera");
        var response = await camera.PostBatchAsync(events);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Today's whole-day report (without a date the page opens on the last complete shift).</summary>
    private static string TodayUrl() => $"/reports/daily?date={DateTime.UtcNow:yyyy-MM-dd}";

    [Fact]
    public async Task The_report_shows_todays_figures_and_prints_without_navigation()
    {
        RequireBrowser();
        await PostRecentWorkAsync();
        var page = await server.OpenAsync(TodayUrl());

        var row = page.Locator("[data-report-table=workers] tr[data-worker=W4]");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });
        Assert.NotEqual("0 m", await row.Locator("td").Nth(1).InnerTextAsync());
        Assert.True(int.Parse(await page.InnerTextAsync("[data-kpi=units] .kpi-value"), System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture) >= 9);
        await Assertions.Expect(page.Locator(".mud-appbar")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".report-print-header")).ToBeHiddenAsync();
        var href = await page.GetAttributeAsync("a[data-export=workers]", "href");
        Assert.StartsWith("/api/export/workers.csv?start_time=", href, StringComparison.Ordinal);

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await Assertions.Expect(page.Locator(".mud-appbar")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".mud-drawer")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("button.report-print")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".report-nav")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".report-print-header")).ToBeVisibleAsync();
        await Assertions.Expect(row).ToBeVisibleAsync();
        var colours = await page.EvaluateAsync<string[]>("() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('.report-table td')).color]");
        Assert.Equal(["rgb(255, 255, 255)", "rgb(0, 0, 0)"], colours);

        // The CSV link of the page downloads the same window.
        using var viewer = server.Api("viewer");
        var csv = await viewer.GetAsync(href, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Contains("\r\nW4,", await csv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_report_fits_a_phone_and_the_nav_entry_leads_to_it()
    {
        RequireBrowser();
        await PostRecentWorkAsync();
        var page = await server.OpenAsync(TodayUrl(), width: 360, height: 780);
        await Assertions.Expect(page.Locator("[data-report-table=workers]")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        var (scrollWidth, clientWidth) = await OverviewBrowserTests.ScrollWidthsAsync(page);
        Assert.True(scrollWidth <= clientWidth, $"/reports/daily at 360 px: scrollWidth {scrollWidth} > clientWidth {clientWidth}.");

        var home = await server.OpenAsync("/");
        await home.ClickAsync(".mud-drawer a[href='/reports/daily']");
        await Assertions.Expect(home.Locator("h1")).ToHaveTextAsync("Daily shift report", new() { Timeout = 10_000 });
    }
}
