using Factory.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Factory.Tests.Browser;

/// <summary>The dashboard under its content security policy (no inline script, connections to this origin only).</summary>
public sealed class ContentSecurityPolicyBrowserTests(BrowserServer server) : IClassFixture<BrowserServer>
{
    [Fact]
    public async Task The_dashboard_connects_and_runs_without_a_single_policy_violation()
    {
        Requires.That(server.Available, $"Chromium ({BrowserServer.ChromiumPath})");
        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (violations)
                {
                    violations.Add(message.Text);
                }
            }
        };

        foreach (var path in new[] { "/", "/events", "/model-health", "/data-quality" })
        {
            await page.GotoAsync(path);
            // Interactive means the WebSocket to /_blazor is open under connect-src 'self'.
            await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        }

        var csp = (await page.GotoAsync("/"))!.Headers["content-security-policy"];
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        lock (violations)
        {
            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
    }
}

/// <summary>A server that requires a viewer (the default outside Development).</summary>
public sealed class ViewerRequiredBrowserServer : BrowserServer
{
    protected override bool RequireViewer => true;
}

/// <summary>Signing in with a viewer key, seeing the live dashboard, signing out.</summary>
public sealed class ViewerSignInBrowserTests(ViewerRequiredBrowserServer server) : IClassFixture<ViewerRequiredBrowserServer>
{
    [Fact]
    public async Task A_viewer_signs_in_sees_the_live_dashboard_and_signs_out()
    {
        Requires.That(server.Available, $"Chromium ({BrowserServer.ChromiumPath})");
        var context = await server.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseAddress.ToString() });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/events");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        await page.FillAsync("#key", FactoryApp.KeyFor("viewer"));
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        Assert.EndsWith("/events", page.Url, StringComparison.Ordinal);

        await page.ClickAsync("[data-action=sign-out]");
        await page.WaitForURLAsync("**/login**");
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
    }
}
