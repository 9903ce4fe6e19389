using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Factory.Tests.Browser;

/// <summary>Acknowledging an alert in a real browser, on a day of demo data; screenshots of the alert pages for the docs.</summary>
public sealed class AlertsBrowserTests(BrowserServer server) : IClassFixture<BrowserServer>
{
    [Fact]
    public async Task An_admin_acknowledges_an_alert_on_the_alerts_page_and_the_overview_shows_it()
    {
        Requires.That(server.Available, $"Chromium ({BrowserServer.ChromiumPath})");
        using var api = server.Api();
        (await api.PostAsync("/api/admin/seed?clear_existing=true", null)).EnsureSuccessStatusCode();

        // A rule the demo data breaks at once (the demo models never reach 0.99), so there is an alert to act on.
        var rule = await api.PostAsJsonAsync("/api/admin/alert-rules", new { name = "Confidence below 0.99", kind = "model_confidence", scope = "factory", threshold = 0.99, severity = "critical" });
        Assert.Equal(HttpStatusCode.Created, rule.StatusCode);
        var ruleId = JsonDocument.Parse(await rule.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt32();
        (await api.PostAsJsonAsync("/api/events", FactoryHttp.Event(DateTimeOffset.UtcNow.AddSeconds(-2), worker: "W6", station: "S6", camera: "CAM-06", confidence: 0.8))).EnsureSuccessStatusCode();
        long alertId = 0;
        for (var i = 0; i < 100 && alertId == 0; i++)
        {
            var open = await api.GetFromJsonAsync<JsonElement>("/api/alerts/open");
            alertId = open.EnumerateArray().Where(a => a.GetProperty("rule_id").GetInt32() == ruleId).Select(a => a.GetProperty("id").GetInt64()).FirstOrDefault();
            if (alertId == 0)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        Assert.True(alertId > 0, "the rule opened an alert");

        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            BaseURL = server.BaseAddress.ToString(),
            ColorScheme = ColorScheme.Dark,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login?returnUrl=%2Falerts%3Fstate%3Dopen");
        await page.FillAsync("#key", FactoryApp.KeyFor("admin"));
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        Assert.Contains("/alerts", page.Url, StringComparison.Ordinal);

        var row = page.Locator($"[data-alert-row='{alertId}']");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-state", "open", new() { Timeout = 20_000 });
        await row.Locator("input[data-field=ack-comment]").FillAsync("checking the lenses");
        await row.Locator("[data-action=ack-alert]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-ack-message]")).ToContainTextAsync($"Alert {alertId} acknowledged.");

        var stored = await api.GetFromJsonAsync<JsonElement>($"/api/alerts/{alertId}");
        Assert.Equal("acknowledged", stored.GetProperty("state").GetString());
        Assert.Equal("test-admin (admin)", stored.GetProperty("acknowledged_by").GetString());
        Assert.Equal("checking the lenses", stored.GetProperty("acknowledge_comment").GetString());

        // The overview's panel shows it as acknowledged, live from the same store.
        await page.GotoAsync("/");
        await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        await Assertions.Expect(page.Locator($"[data-open-alert='{alertId}']")).ToHaveAttributeAsync("data-state", "acknowledged");

        var folder = Environment.GetEnvironmentVariable("FACTORY_SCREENSHOTS_DIR") is { Length: > 0 } dir ? dir : Path.Combine(Path.GetTempPath(), "factory-screenshots");
        Directory.CreateDirectory(folder);
        foreach (var (path, name) in new[] { ("/alerts?range=24h", "alerts"), ("/admin/alerts", "alert-rules") })
        {
            foreach (var (width, height) in new[] { (1440, 900), (390, 844) })
            {
                await page.SetViewportSizeAsync(width, height);
                await page.GotoAsync(path);
                await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
                await Assertions.Expect(page.Locator(name == "alerts" ? "[data-alert-row]" : "[data-rule-row]").First).ToBeVisibleAsync();
                var (scrollWidth, clientWidth) = await OverviewBrowserTests.ScrollWidthsAsync(page);
                var wide = scrollWidth <= clientWidth ? "" : await page.EvaluateAsync<string>(
                    "() => { const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 6).map(e => e.tagName + '.' + (e.className && e.className.baseVal !== undefined ? e.className.baseVal : e.className) + ' ' + Math.round(e.getBoundingClientRect().right)).join(' | '); }");
                Assert.True(scrollWidth <= clientWidth, $"{path} at {width} px: scrollWidth {scrollWidth} > clientWidth {clientWidth}; too wide: {wide}");
                var file = Path.Combine(folder, $"{name}-{width}.png");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
                Assert.True(new FileInfo(file).Length > 10_000);
            }
        }

        await context.CloseAsync();
    }
}
