using System.Net;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Factory.Tests.Api;

/// <summary>
/// Nothing is open by accident outside Development: reads, pages, the live hub, the API reference and the OpenAPI
/// document follow the viewer policy, <c>/metrics</c> takes an ops key or a configured network, and the content
/// security policy allows no inline script and no connection to other hosts. Development keeps the open demo.
/// </summary>
public sealed class AccessDefaultsTests : IAsyncLifetime
{
    private const string OpsKey = "ops-scraper-key-0c9a6b2e4d1f8a73";

    private readonly FactoryApp _app = new(new Dictionary<string, string?>
    {
        ["Auth:Keys:3:Name"] = "prometheus",
        ["Auth:Keys:3:Role"] = "ops",
        ["Auth:Keys:3:Hash"] = Factory.Web.Security.ApiKeyEntry.HashKey(OpsKey),
        ["Auth:MetricsNetworks:0"] = "192.168.50.0/24",
    });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task<HttpContext> SendAsync(string path, string? from = null, string? key = null, string? bearer = null) =>
        await _app.Server.SendAsync(ctx =>
        {
            var (method, target) = path.StartsWith("POST ", StringComparison.Ordinal) ? ("POST", path[5..]) : ("GET", path);
            ctx.Request.Method = method;
            var query = target.IndexOf('?', StringComparison.Ordinal);
            ctx.Request.Path = query < 0 ? target : target[..query];
            ctx.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(target[query..]);
            if (from is not null)
            {
                ctx.Connection.RemoteIpAddress = IPAddress.Parse(from);
            }

            if (key is not null)
            {
                ctx.Request.Headers["X-Api-Key"] = key;
            }

            if (bearer is not null)
            {
                ctx.Request.Headers.Authorization = "Bearer " + bearer;
            }
        });

    [Theory]
    [InlineData("/api/workers", 401)]
    [InlineData("/api/export/events.csv", 401)]
    [InlineData("POST /hubs/live/negotiate?negotiateVersion=1", 401)]
    [InlineData("/", 302)]
    [InlineData("/events", 302)]
    [InlineData("/docs/", 302)]
    [InlineData("/openapi/v1.json", 302)]
    public async Task Without_a_key_or_sign_in_reads_pages_hub_and_api_reference_are_closed_outside_development(string path, int status)
    {
        var context = await SendAsync(path);
        Assert.Equal(status, context.Response.StatusCode);
        if (status == 302)
        {
            Assert.StartsWith("/login", new Uri(new Uri("http://localhost"), context.Response.Headers.Location.ToString()).PathAndQuery, StringComparison.Ordinal);
        }

        var viewer = await SendAsync(path, key: FactoryApp.KeyFor("viewer"));
        Assert.True(viewer.Response.StatusCode == 200, $"{path} with a viewer key: {viewer.Response.StatusCode}");
    }

    [Fact]
    public async Task Prometheus_metrics_take_an_ops_key_or_a_configured_network_and_nothing_else()
    {
        Assert.Equal(401, (await SendAsync("/metrics", from: "10.1.1.1")).Response.StatusCode);
        Assert.Equal(403, (await SendAsync("/metrics", from: "10.1.1.1", key: FactoryApp.KeyFor("viewer"))).Response.StatusCode);
        Assert.Equal(403, (await SendAsync("/metrics", from: "10.1.1.1", key: FactoryApp.KeyFor("camera"))).Response.StatusCode);

        Assert.Equal(200, (await SendAsync("/metrics", from: "10.1.1.1", key: OpsKey)).Response.StatusCode);
        Assert.Equal(200, (await SendAsync("/metrics", from: "10.1.1.1", bearer: OpsKey)).Response.StatusCode);
        Assert.Equal(200, (await SendAsync("/metrics", from: "192.168.50.7")).Response.StatusCode);
        Assert.Equal(200, (await SendAsync("/metrics", from: "::ffff:192.168.50.7")).Response.StatusCode);
    }

    [Fact]
    public async Task An_ops_key_reads_metrics_only()
    {
        Assert.Equal(403, (await SendAsync("/api/workers", key: OpsKey)).Response.StatusCode);
        Assert.Equal(403, (await SendAsync("/events", key: OpsKey)).Response.StatusCode);
    }

    [Fact]
    public async Task The_content_security_policy_allows_no_inline_script_and_no_connection_to_other_hosts()
    {
        var page = await SendAsync("/login");
        var csp = page.Response.Headers.ContentSecurityPolicy.ToString();
        var directives = csp.Split(';', StringSplitOptions.TrimEntries).ToDictionary(d => d.Split(' ')[0], d => d);

        Assert.Equal("script-src 'self'", directives["script-src"]);
        Assert.Equal("connect-src 'self'", directives["connect-src"]);
        Assert.DoesNotContain("ws:", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("wss:", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_keeps_the_open_demo()
    {
        await using var development = new DevelopmentApp();
        var anonymous = development.CreateClientAs(null);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/workers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/events")).StatusCode);
    }

    [Fact]
    public async Task Require_viewer_false_opens_reads_outside_development_when_asked_for()
    {
        await using var open = new FactoryApp(new Dictionary<string, string?> { ["Auth:RequireViewer"] = "false" });
        var anonymous = open.CreateClientAs(null);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/workers")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
    }

    private sealed class DevelopmentApp : FactoryApp
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Development");
        }
    }
}
