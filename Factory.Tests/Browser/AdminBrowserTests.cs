using Factory.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Factory.Tests.Browser;

/// <summary>Signing in, seeding from the admin page, then the overview full of demo data (and its screenshots for the docs).</summary>
public sealed class AdminBrowserTests(BrowserServer server) : IClassFixture<BrowserServer>
{
    [Fact]
    public async Task Admin_signs_in_seeds_a_day_of_demo_data_and_the_overview_shows_it()
    {
        Requires.That(server.Available, $"Chromium ({BrowserServer.ChromiumPath})");

        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            BaseURL = server.BaseAddress.ToString(),
        });
        var admin = await context.NewPageAsync();
        await admin.GotoAsync("/admin");
        Assert.Contains("/login", admin.Url, StringComparison.Ordinal);

        await admin.FillAsync("#key", FactoryApp.KeyFor("camera"));
        await admin.ClickAsync("button[type=submit]");
        await Assertions.Expect(admin.Locator(".error")).ToContainTextAsync("not a viewer or admin key");

        await admin.FillAsync("#key", FactoryApp.KeyFor("admin"));
        await admin.ClickAsync("button[type=submit]");
        await admin.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        Assert.EndsWith("/admin", admin.Url, StringComparison.Ordinal);
        await admin.ClickAsync("[data-action=seed-24h]");
        var result = admin.Locator("[data-seed-result]");
        await Assertions.Expect(result).ToBeVisibleAsync(new() { Timeout = 120_000 });
        var text = await result.InnerTextAsync();
        Assert.Contains("stored", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Generated 0 events", text, StringComparison.Ordinal);

        foreach (var (width, height, name) in new[] { (1440, 900, "overview-1440.png"), (390, 844, "overview-390.png") })
        {
            var page = await server.OpenAsync("/", width, height);
            await Assertions.Expect(page.Locator("[data-kpi=units-today] .kpi-value")).Not.ToHaveTextAsync("0");
            Assert.Equal(6, await page.Locator(".leaderboard tbody tr").CountAsync());
            Assert.Equal(6, await page.Locator(".station-tile").CountAsync());
            Assert.True(await page.Locator("li.stream-row").CountAsync() > 0);
            var (scrollWidth, clientWidth) = await OverviewBrowserTests.ScrollWidthsAsync(page);
            Assert.True(scrollWidth <= clientWidth, $"Overview at {width} px with data: scrollWidth {scrollWidth} > clientWidth {clientWidth}.");

            var folder = Environment.GetEnvironmentVariable("FACTORY_SCREENSHOTS_DIR") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "factory-screenshots");
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, name);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            Assert.True(new FileInfo(path).Length > 10_000);
        }
    }
}
