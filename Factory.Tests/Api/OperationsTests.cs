using System.Net;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>Health, OpenAPI, the API reference, and the framework's own errors as ProblemDetails.</summary>
public sealed class OperationsTests : ApiTest
{
    [Fact]
    public async Task Liveness_is_200()
    {
        var response = await _client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", (await response.JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_is_200_and_checks_the_database()
    {
        var response = await _client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetString());
    }

    [Fact]
    public async Task OpenApi_document_is_json_listing_the_api_paths()
    {
        var response = await _client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString());
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/events", paths);
        Assert.Contains("/api/events/batch", paths);
        Assert.Contains("/api/workers", paths);
        Assert.Contains("/api/workstations", paths);
        Assert.True(doc.GetProperty("paths").GetProperty("/api/events").TryGetProperty("post", out _));
        Assert.True(doc.GetProperty("paths").GetProperty("/api/events").TryGetProperty("get", out _));
    }

    [Fact]
    public async Task Docs_respond_with_the_api_reference()
    {
        var response = await _client.GetAsync("/docs");
        if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect)
        {
            response = await _client.GetAsync(response.Headers.Location);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Factory Pulse API", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "/api/nothing-here")]
    [InlineData("POST", "/api/nothing-here")]
    [InlineData("GET", "/api/events/abc")]
    [InlineData("DELETE", "/api/v2/events")]
    public async Task Unknown_api_path_is_a_404_problem(string method, string path)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var problem = await ProblemAssert.IsProblemAsync(response, 404);
        Assert.Contains("/docs", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("GET", "/api/events/batch", "POST")]
    [InlineData("PUT", "/api/events", "GET, POST")]
    [InlineData("DELETE", "/api/workers", "GET")]
    [InlineData("POST", "/api/events/5", "GET")]
    public async Task Wrong_method_is_a_405_problem_with_allow(string method, string path, string allowed)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var problem = await ProblemAssert.IsProblemAsync(response, 405);
        Assert.Equal(allowed.Split(", "), response.Content.Headers.Allow.Order());
        Assert.Contains(method, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unsupported_media_type_is_a_415_problem()
    {
        var response = await _client.PostAsync("/api/events", new StringContent("<event/>", System.Text.Encoding.UTF8, "application/xml"));
        var problem = await ProblemAssert.IsProblemAsync(response, 415);
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Problems_carry_a_trace_id_and_the_instance_path()
    {
        var problem = await ProblemAssert.IsProblemAsync(await _client.GetAsync("/api/events?limit=x"), 400);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("trace_id").GetString()));
        Assert.Equal("/api/events", problem.GetProperty("instance").GetString());
    }
}
