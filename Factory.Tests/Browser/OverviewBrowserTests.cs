using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Factory.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Factory.Tests.Browser;

/// <summary>The dashboard as a user sees it: a real server, a real Chromium, events posted through the API.</summary>
public sealed class OverviewBrowserTests(BrowserServer server) : IClassFixture<BrowserServer>
{
    /// <summary>A functional deadline only: live-push latency is measured by Factory.Bench (live-push), not here.</summary>
    private static readonly TimeSpan LiveDeadline = TimeSpan.FromSeconds(10);

    private void RequireBrowser() => Requires.That(server.Available, $"Chromium ({BrowserServer.ChromiumPath})");

    [Fact]
    public async Task Posted_event_appears_in_the_stream_and_the_kpis_without_a_reload()
    {
        RequireBrowser();
        var page = await server.OpenAsync("/");
        var unitsBefore = await page.InnerTextAsync("[data-kpi=units-today] .kpi-value");
        var navigations = 0;
        page.FrameNavigated += (_, _) => navigations++;

        var now = DateTimeOffset.UtcNow;
        using var camera = server.Api("camera");
        var response = await camera.PostEventAsync(FactoryHttp.Event(now.AddSeconds(-2), worker: "W3", station: "S4", type: "working"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var product = await camera.PostEventAsync(FactoryHttp.Event(now.AddSeconds(-1), worker: "W3", station: "S4", type: "product_count", count: 7));
        Assert.Equal(HttpStatusCode.Created, product.StatusCode);
        var id = (await product.JsonAsync()).GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);

        await Assertions.Expect(page.Locator("li.stream-row").First).ToHaveAttributeAsync("data-event-id", id, new() { Timeout = (float)LiveDeadline.TotalMilliseconds });
        await Assertions.Expect(page.Locator("[data-kpi=units-today] .kpi-value")).Not.ToHaveTextAsync(unitsBefore, new() { Timeout = (float)LiveDeadline.TotalMilliseconds });
        Assert.Contains("state-product", await page.Locator("li.stream-row").First.GetAttributeAsync("class") ?? "");
        Assert.Equal(0, navigations);
    }

    [Fact]
    public async Task A_burst_of_500_events_keeps_the_page_responsive()
    {
        RequireBrowser();
        var page = await server.OpenAsync("/");
        var start = DateTimeOffset.UtcNow.AddMinutes(-3);
        var events = Enumerable.Range(0, 500)
            .Select(i => FactoryHttp.Event(start.AddMilliseconds(i * 300), worker: $"W{i % 6 + 1}", station: $"S{i % 6 + 1}", type: i % 5 == 0 ? "product_count" : "working"))
            .ToList();

        using var camera = server.Api("camera");
        var batch = await camera.PostBatchAsync(events);
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var body = await batch.JsonAsync();
        Assert.Equal(500, body.GetProperty("accepted").GetInt32());
        var lastId = body.GetProperty("results")[499].GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);

        await Assertions.Expect(page.Locator("li.stream-row").First).ToHaveAttributeAsync("data-event-id", lastId, new() { Timeout = (float)LiveDeadline.TotalMilliseconds });

        // Still responsive: script runs at once and in-app navigation works without a reload.
        var probe = Stopwatch.StartNew();
        Assert.Equal(2, await page.EvaluateAsync<int>("() => 1 + 1"));
        Assert.True(probe.Elapsed < TimeSpan.FromSeconds(5), $"The page took {probe.Elapsed.TotalMilliseconds:0} ms to run a script.");
        await page.ClickAsync("a[href='/events']");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Event log", new() { Timeout = 5_000 });
        Assert.True(await page.Locator(".events-table tbody tr").CountAsync() > 0);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/events")]
    [InlineData("/workers/W1")]
    [InlineData("/stations/S1")]
    [InlineData("/model-health")]
    public async Task Pages_at_360_px_have_no_horizontal_scroll(string path)
    {
        RequireBrowser();
        await EnsureSomeDataAsync();
        var page = await server.OpenAsync(path, width: 360, height: 780);
        var (scrollWidth, clientWidth) = await ScrollWidthsAsync(page);
        Assert.True(scrollWidth <= clientWidth, $"{path} at 360 px: scrollWidth {scrollWidth} > clientWidth {clientWidth}.");
    }

    [Fact]
    public async Task The_drawer_collapses_on_phones_and_opens_from_the_menu_button()
    {
        RequireBrowser();
        var page = await server.OpenAsync("/", width: 390, height: 844);
        var overview = page.Locator(".mud-drawer a[href='/events']");
        await Assertions.Expect(overview).Not.ToBeInViewportAsync();
        await page.ClickAsync("button[aria-label='Open or close the navigation menu']");
        await Assertions.Expect(overview).ToBeInViewportAsync(new() { Timeout = 5_000 });
    }

    [Fact]
    public async Task Time_range_is_kept_in_the_url()
    {
        RequireBrowser();
        var page = await server.OpenAsync("/");
        await page.Locator("[data-range='7d']").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"[?&]range=7d"), new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-range='7d']")).ToHaveAttributeAsync("aria-pressed", "true", new() { Timeout = 15_000 });

        var shared = await server.OpenAsync("/?range=shift");
        await Assertions.Expect(shared.Locator("[data-range='shift']")).ToHaveAttributeAsync("aria-pressed", "true");
    }

    internal static async Task<(int ScrollWidth, int ClientWidth)> ScrollWidthsAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]");
        return (widths[0], widths[1]);
    }

    private async Task EnsureSomeDataAsync()
    {
        using var camera = server.Api("camera");
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, 60).Select(i => FactoryHttp.Event(now.AddMinutes(-i), worker: $"W{i % 6 + 1}", station: $"S{i % 6 + 1}",
            type: (i % 4) switch { 0 => "product_count", 1 => "idle", _ => "working" }, camera: $"CAM-0{i % 6 + 1}-with-a-long-identifier"));
        var response = await camera.PostBatchAsync(events);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
