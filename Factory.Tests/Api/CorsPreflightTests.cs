using System.Net;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>The /api catch-all must not swallow CORS preflights of real endpoints.</summary>
public sealed class CorsPreflightTests() : ApiTest(new Dictionary<string, string?> { ["Cors:Origins:0"] = Origin })
{
    private const string Origin = "https://dashboard.example";

    private static HttpRequestMessage Preflight(string path, string method, string origin = Origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");
        return request;
    }

    [Theory]
    [InlineData("/api/events", "POST")]
    [InlineData("/api/events/batch", "POST")]
    [InlineData("/api/events", "GET")]
    public async Task Preflight_from_an_allowed_origin_is_answered_with_cors_headers(string path, string method)
    {
        var response = await _app.CreateClientAs(null).SendAsync(Preflight(path, method));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Origin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains(method, response.Headers.GetValues("Access-Control-Allow-Methods").Single());
    }

    [Fact]
    public async Task Preflight_from_another_origin_gets_no_cors_headers()
    {
        var response = await _app.CreateClientAs(null).SendAsync(Preflight("/api/events", "POST", "https://evil.example"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
