using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Factory.Core.Events;
using Factory.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Factory.Bench;

/// <summary>
/// What a person at the dashboard sees, measured in headless Chromium (Debian's, driven by Playwright) against
/// the real server process: the time from an event's POST to its row in the overview's live stream, and the
/// first contentful paint of the overview.
/// </summary>
internal static class BrowserBenchmark
{
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    /// <summary>Records, in the page, when each row of the live stream first appears (Date.now(), the machine clock the bench shares).</summary>
    private const string RecordRowsScript = """
        () => {
          window.__seen = {};
          const note = el => {
            if (el.nodeType !== 1) return;
            const rows = el.matches('li[data-event-id]') ? [el] : el.querySelectorAll('li[data-event-id]');
            for (const row of rows) {
              const id = row.getAttribute('data-event-id');
              if (!(id in window.__seen)) window.__seen[id] = Date.now();
            }
          };
          new MutationObserver(records => {
            for (const r of records) for (const n of r.addedNodes) note(n);
          }).observe(document.body, { childList: true, subtree: true });
        }
        """;

    public static string ChromiumPath => Environment.GetEnvironmentVariable("FACTORY_BENCH_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>POST one event, wait until the overview's live stream shows its row; N times at irregular intervals.</summary>
    public static async Task<int> LivePushAsync(string[] args)
    {
        if (!File.Exists(ChromiumPath))
        {
            Console.WriteLine($"live-push: no Chromium at {ChromiumPath} (apt-get install chromium, or set FACTORY_BENCH_CHROMIUM); skipped.");
            return 0;
        }

        var count = BenchArgs.Int(args, "--events", 150);
        await using var server = await BenchServer.StartAsync(new Dictionary<string, string> { ["Seed:OnEmptyDatabase"] = "true" }, "Development");
        await server.WaitForSeedAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await OpenOverviewAsync(browser, server);
        await page.EvaluateAsync(RecordRowsScript);

        using var camera = server.CreateClient(BenchServer.CameraKey);
        var latencies = new Latencies();
        var missed = 0;
        var rng = new Random(20261127);
        var clock = Stopwatch.StartNew();
        for (var i = -5; i < count; i++)
        {
            // Irregular spacing (150–450 ms): some events land while the page's coalescing interval (250 ms) is still running.
            await Task.Delay(rng.Next(150, 450));
            var worker = $"W{rng.Next(1, 7)}";
            var body = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"{{\"timestamp\":\"{WireTime.Format(DateTime.UtcNow)}\",\"worker_id\":\"{worker}\",\"workstation_id\":\"S{worker[1..]}\",\"event_type\":\"working\",\"confidence\":0.93,\"camera_id\":\"CAM-0{worker[1..]}\",\"model_version\":\"bench\"}}"));
            var sent = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await camera.PostAsync("api/events", content);
            response.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var id = json.RootElement.GetProperty("id").GetInt64();
            try
            {
                var shown = await page.WaitForFunctionAsync($"() => window.__seen['{id}']", null, new PageWaitForFunctionOptions { Timeout = 10_000, PollingInterval = 5 });
                var at = await shown.JsonValueAsync<double>();
                if (i >= 0)
                {
                    latencies.Add(TimeSpan.FromMilliseconds(at - sent));
                }
            }
            catch (TimeoutException)
            {
                missed++;
            }
        }

        var p95 = latencies.Percentile(95);
        var pass = missed == 0 && p95 < 500;
        var table = BenchReport.Table(
            ("events", latencies.Count.ToString(CultureInfo.InvariantCulture)),
            ("POST → row in the DOM", latencies.Summary() + string.Create(CultureInfo.InvariantCulture, $", max {latencies.Percentile(100):0.00} ms")),
            ("not shown within 10 s", missed.ToString(CultureInfo.InvariantCulture)),
            ("target", "p95 < 500 ms"),
            ("result", BenchReport.Verdict(pass)));
        BenchReport.Append("Live push: event POST to DOM update", "dotnet run -c Release --project Factory.Bench -- live-push",
        [
            "Server in the Development environment (a Release build serves blazor.web.js and MudBlazor's files only there; logging at Information as in production), seeded with 24 h of demo data.",
            "Overview `/` in headless Chromium; a MutationObserver stamps each new `li[data-event-id]` of the live stream with `Date.now()`; the bench takes the time just before the POST from the same clock.",
            string.Create(CultureInfo.InvariantCulture, $"One event (timestamp now, W1–W6) every 150–450 ms, {clock.Elapsed.TotalSeconds:0} s in all; 5 unmeasured warm-up events first."),
            "Includes the durable commit, the notifier, the page's coalescing (at most 4 refreshes/s), its metrics reload, the render batch over the circuit and the browser's DOM update.",
        ], table);
        BenchReport.RecordTarget("live push", "event POST to DOM update in a connected browser", "p95 < 500 ms",
            string.Create(CultureInfo.InvariantCulture, $"p95 {p95:0} ms (p50 {latencies.Percentile(50):0}, max {latencies.Percentile(100):0}){(missed > 0 ? $", {missed} not shown" : "")}"), pass);
        return pass ? 0 : 1;
    }

    /// <summary>First contentful paint of the overview in fresh browser contexts, after warm-up loads.</summary>
    public static async Task<int> FcpAsync(string[] args)
    {
        if (!File.Exists(ChromiumPath))
        {
            Console.WriteLine($"fcp: no Chromium at {ChromiumPath} (apt-get install chromium, or set FACTORY_BENCH_CHROMIUM); skipped.");
            return 0;
        }

        var loads = BenchArgs.Int(args, "--loads", 20);
        const int warmUp = 5;
        await using var server = await BenchServer.StartAsync(new Dictionary<string, string> { ["Seed:OnEmptyDatabase"] = "true" }, "Development");
        await server.WaitForSeedAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);

        var fcp = new Latencies();
        var interactive = new Latencies();
        for (var i = -warmUp; i < loads; i++)
        {
            // A new context each time: no cache, no cookies, a new circuit, as a first visit.
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
                ColorScheme = ColorScheme.Dark,
            });
            var page = await context.NewPageAsync();
            await page.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
            var paint = await (await page.WaitForFunctionAsync(
                "() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime",
                null, new PageWaitForFunctionOptions { Timeout = 20_000 })).JsonValueAsync<double>();
            await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
            var ready = await page.EvaluateAsync<double>("() => performance.now()");
            if (i >= 0)
            {
                fcp.Add(TimeSpan.FromMilliseconds(paint));
                interactive.Add(TimeSpan.FromMilliseconds(ready));
            }
        }

        var p95 = fcp.Percentile(95);
        var pass = p95 < 1000;
        var table = BenchReport.Table(
            ("page loads", fcp.Count.ToString(CultureInfo.InvariantCulture)),
            ("first contentful paint", fcp.Summary()),
            ("interactive (circuit up, first render applied)", interactive.Summary()),
            ("target", "FCP < 1 s (checked at p95)"),
            ("result", BenchReport.Verdict(pass)));
        BenchReport.Append("Dashboard: first contentful paint of the overview", "dotnet run -c Release --project Factory.Bench -- fcp",
        [
            $"Server in the Development environment (a Release build serves blazor.web.js and MudBlazor's files only there; logging at Information as in production), seeded with 24 h of demo data; {warmUp} warm-up loads, then each load in a new browser context (empty cache, new circuit), 1440×900, headless Chromium.",
            "FCP is the browser's `first-contentful-paint` entry; the page is prerendered on the server, so FCP does not wait for the circuit. `interactive` is when `#app-root` reports the circuit's first render.",
        ], table);
        BenchReport.RecordTarget("dashboard", "first contentful paint, overview, warm server", "< 1 s",
            string.Create(CultureInfo.InvariantCulture, $"p95 {p95:0} ms (p50 {fcp.Percentile(50):0} ms)"), pass);
        return pass ? 0 : 1;
    }

    private static async Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });

    private static async Task<IPage> OpenOverviewAsync(IBrowser browser, ServerProcess server)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            ColorScheme = ColorScheme.Dark,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(server.BaseAddress, "/").ToString());
        await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        return page;
    }
}
