using System.Net;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Factory.Tests.Api;

/// <summary>
/// Failed key checks and sign-ins are counted per client address before the 401 is answered; beyond
/// Auth:MaxFailuresPerClient in Auth:FailureWindow every key that address presents gets 429 with Retry-After. The
/// address is the client's as reported by a configured proxy, and only by one.
/// </summary>
public sealed class BruteForceTests : IAsyncLifetime
{
    private readonly FactoryApp _app = new(new Dictionary<string, string?>
    {
        ["Auth:MaxFailuresPerClient"] = "3",
        ["Auth:FailureWindow"] = "00:01:00",
        ["Proxy:KnownProxies:0"] = "10.0.0.1",
    });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private Task<HttpContext> SendAsync(string from, string key, string? forwardedFor = null) =>
        _app.Server.SendAsync(ctx =>
        {
            ctx.Request.Method = "GET";
            ctx.Request.Path = "/api/workers";
            ctx.Connection.RemoteIpAddress = IPAddress.Parse(from);
            ctx.Request.Headers["X-Api-Key"] = key;
            if (forwardedFor is not null)
            {
                ctx.Request.Headers["X-Forwarded-For"] = forwardedFor;
            }
        });

    [Fact]
    public async Task After_too_many_wrong_keys_an_address_gets_429_with_retry_after_for_any_key_until_the_window_ends()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(401, (await SendAsync("198.51.100.7", "guess-" + i)).Response.StatusCode);
        }

        var limited = await SendAsync("198.51.100.7", "guess-3");
        Assert.Equal(429, limited.Response.StatusCode);
        Assert.Equal("60", limited.Response.Headers.RetryAfter.ToString());
        Assert.Equal("application/problem+json", limited.Response.ContentType);
        Assert.Equal(429, (await SendAsync("198.51.100.7", FactoryApp.KeyFor("viewer"))).Response.StatusCode);

        // Another address is not affected.
        Assert.Equal(200, (await SendAsync("198.51.100.8", FactoryApp.KeyFor("viewer"))).Response.StatusCode);
        Assert.Equal(401, (await SendAsync("198.51.100.8", "guess")).Response.StatusCode);

        _app.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(200, (await SendAsync("198.51.100.7", FactoryApp.KeyFor("viewer"))).Response.StatusCode);
    }

    [Fact]
    public async Task Failed_sign_ins_count_too()
    {
        var client = _app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        async Task<HttpResponseMessage> SignInAsync(string key)
        {
            var html = await client.GetStringAsync("/login");
            var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"(__RequestVerificationToken[^\"]*)\" value=\"([^\"]+)\"");
            return await client.PostAsync("/login", new FormUrlEncodedContent(
                [new(token.Groups[1].Value, WebUtility.HtmlDecode(token.Groups[2].Value)), new("key", key)]));
        }

        for (var i = 0; i < 3; i++)
        {
            using var failed = await SignInAsync("wrong-" + i);
            Assert.Equal(HttpStatusCode.Redirect, failed.StatusCode);
            Assert.Contains("error=1", failed.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using var limited = await SignInAsync(FactoryApp.KeyFor("admin"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
    }

    [Fact]
    public async Task Behind_the_configured_proxy_the_forwarded_client_address_is_the_one_limited()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(401, (await SendAsync("10.0.0.1", "guess-" + i, forwardedFor: "203.0.113.5")).Response.StatusCode);
        }

        Assert.Equal(429, (await SendAsync("10.0.0.1", "guess", forwardedFor: "203.0.113.5")).Response.StatusCode);

        // Another client behind the same proxy, and the proxy's own address, are not limited.
        Assert.Equal(200, (await SendAsync("10.0.0.1", FactoryApp.KeyFor("viewer"), forwardedFor: "203.0.113.6")).Response.StatusCode);
        Assert.Equal(200, (await SendAsync("10.0.0.1", FactoryApp.KeyFor("viewer"))).Response.StatusCode);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_address_that_is_not_a_configured_proxy_are_ignored()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(401, (await SendAsync("10.0.0.2", "guess-" + i, forwardedFor: "203.0.113." + (10 + i))).Response.StatusCode);
        }

        // Each request claimed another client, but all came from 10.0.0.2: that address is the one limited.
        Assert.Equal(429, (await SendAsync("10.0.0.2", FactoryApp.KeyFor("viewer"), forwardedFor: "203.0.113.99")).Response.StatusCode);
        Assert.Equal(200, (await SendAsync("10.0.0.1", FactoryApp.KeyFor("viewer"), forwardedFor: "203.0.113.10")).Response.StatusCode);
    }

    [Fact]
    public async Task A_forwarded_address_a_client_put_before_the_proxys_own_entry_is_not_believed()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(401, (await SendAsync("10.0.0.1", "guess-" + i, forwardedFor: $"192.0.2.{i}, 203.0.113.7")).Response.StatusCode);
        }

        Assert.Equal(429, (await SendAsync("10.0.0.1", "guess", forwardedFor: "192.0.2.200, 203.0.113.7")).Response.StatusCode);
    }
}
