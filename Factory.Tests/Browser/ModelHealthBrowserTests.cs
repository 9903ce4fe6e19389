using System.Net;
using Factory.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Factory.Tests.Browser;

/// <summary>The model health page on the real server with events posted through the API.</summary>
public sealed class ModelHealthBrowserTests(BrowserServer server) : IClassFixture<BrowserServer>
{
    private void RequireBrowser() => Requires.That(server.Available, $"Chromium ({BrowserServer.ChromiumPath})");

    private async Task SeedAsync()
    {
        using var camera = server.Api("camera");
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, 90).Select(i => FactoryHttp.Event(now.AddMinutes(-2 * i - 1), worker: $"W{i % 6 + 1}", station: $"S{i % 6 + 1}",
            type: i % 3 == 0 ? "product_count" : "working", confidence: i % 2 == 0 ? 0.92 : 0.81,
            camera: $"CAM-0{i % 3 + 1}", model: i % 4 == 0 ? "yolov8-v2.2" : "yolov8-v2.1"));
        var response = await camera.PostBatchAsync(events);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Model_health_page_shows_the_status_card_and_renders_the_charts()
    {
        RequireBrowser();
        await SeedAsync();
        var page = await server.OpenAsync("/model-health");

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Model health");
        var card = page.Locator("[data-health-status]");
        await Assertions.Expect(card).ToBeVisibleAsync(new() { Timeout = 10_000 });
        Assert.Contains(await card.GetAttributeAsync("data-health-status"), new[] { "Healthy", "Warning", "Critical" });
        Assert.NotEqual("0", await page.InnerTextAsync("[data-figure=samples]"));

        Assert.True(await page.Locator("[data-chart=confidence-trend] svg path").CountAsync() > 0, "The trend chart drew no line.");
        Assert.True(await page.Locator("[data-chart=distribution] svg path").CountAsync() >= 2, "The donut has fewer than two segments.");
        await Assertions.Expect(page.Locator("[data-chart=distribution] li[data-model='yolov8-v2.2'] .dist-pct")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+\.\d %$"));
        Assert.True(await page.Locator("[data-chart=heatmap] td.hm-cell:not(.hm-empty)").CountAsync() >= 3, "The heatmap has fewer cells than cameras.");
        Assert.Equal(3, await page.Locator("table.camera-table tbody tr").CountAsync());
        // Not signed in as admin: the exclusions editor is replaced by a note.
        await Assertions.Expect(page.Locator("[data-exclusion-note]")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("[data-exclusion-editor]").CountAsync());

        await page.Locator(".mud-drawer a[href='/model-health']").WaitForAsync(new() { State = WaitForSelectorState.Attached });

        var folder = Environment.GetEnvironmentVariable("FACTORY_SCREENSHOTS_DIR") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "factory-screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "model-health-1440.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000);
    }

    [Fact]
    public async Task A_new_model_version_appears_in_the_distribution_without_a_reload()
    {
        RequireBrowser();
        await SeedAsync();
        var page = await server.OpenAsync("/model-health");
        await Assertions.Expect(page.Locator("[data-health-status]")).ToBeVisibleAsync(new() { Timeout = 10_000 });

        using var camera = server.Api("camera");
        var response = await camera.PostEventAsync(FactoryHttp.Event(DateTimeOffset.UtcNow.AddSeconds(-1), model: "yolov9-canary", camera: "CAM-01"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        await Assertions.Expect(page.Locator("[data-chart=distribution] li[data-model='yolov9-canary']")).ToBeVisibleAsync(new() { Timeout = 5_000 });
    }

    [Fact]
    public async Task Signed_in_admin_excludes_a_version_and_sees_it_as_a_chip()
    {
        RequireBrowser();
        await SeedAsync();
        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseAddress.ToString(), ColorScheme = ColorScheme.Dark });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login?returnUrl=%2Fmodel-health");
        await page.FillAsync("#key", FactoryApp.KeyFor("admin"));
        await page.Locator("form button").ClickAsync();
        await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/model-health$"));

        var editor = page.Locator("[data-exclusion-editor]");
        await Assertions.Expect(editor).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await page.Locator("input[data-field=model-version]").FillAsync("yolov8-v2.2");
        await page.Locator("input[data-field=reason]").FillAsync("rollback");
        await page.Locator("[data-action=add-exclusion]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-exclusion='yolov8-v2.2']")).ToBeVisibleAsync(new() { Timeout = 5_000 });
        using var admin = server.Api("admin");
        var listed = await admin.GetStringAsync("/api/admin/model-exclusions");
        Assert.Contains("yolov8-v2.2", listed, StringComparison.Ordinal);
        await context.DisposeAsync();
    }
}
