using System.Net;
using System.Net.Http.Json;
using Factory.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace Factory.Tests.Api;

public sealed class SecurityTests : IAsyncLifetime
{
    private readonly LogCollector _logs = new();
    private readonly SecuredApp _app;

    public SecurityTests() => _app = new SecuredApp(_logs, new Dictionary<string, string?>
    {
        ["Auth:RequireViewer"] = "true",
        ["Serilog:MinimumLevel:Default"] = "Information",
        ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Information",
    });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "POST", "/api/events", "camera" },
        { "POST", "/api/events/batch", "camera" },
        { "GET", "/api/events", "viewer" },
        { "GET", "/api/workers", "viewer" },
        { "GET", "/api/workstations", "viewer" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_without_a_key_is_401_problem(string method, string path, string role)
    {
        using var response = await Send(_app.CreateClientAs(null), method, path);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-Api-Key", (await response.JsonAsync()).GetProperty("detail").GetString());
        Assert.NotEmpty(role);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_with_a_wrong_role_is_403_and_right_role_passes(string method, string path, string role)
    {
        foreach (var other in new[] { "camera", "viewer" }.Where(r => r != role))
        {
            using var denied = await Send(_app.CreateClientAs(other), method, path);
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Contains(role, (await denied.JsonAsync()).GetProperty("detail").GetString());
        }

        foreach (var allowed in new[] { role, "admin" })
        {
            using var ok = await Send(_app.CreateClientAs(allowed), method, path);
            Assert.True((int)ok.StatusCode is >= 200 and < 300, $"{allowed} got {(int)ok.StatusCode} for {method} {path}");
        }
    }

    [Fact]
    public async Task Unknown_key_is_401()
    {
        var client = _app.CreateClientAs(null);
        client.DefaultRequestHeaders.Add("X-Api-Key", "not-a-real-key");
        using var response = await client.GetAsync("/api/workers");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not valid", (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Keys_never_appear_in_logs()
    {
        foreach (var role in new[] { "camera", "viewer", "admin" })
        {
            using var _ = await Send(_app.CreateClientAs(role), "POST", "/api/events");
            using var __ = await _app.CreateClientAs(role).GetAsync("/api/events?worker_id=W1");
        }

        var wrong = _app.CreateClientAs(null);
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "leaked-secret-key-42");
        using var ___ = await wrong.GetAsync("/api/workers");

        var text = _logs.Render();
        Assert.NotEmpty(_logs.Events);
        foreach (var secret in new[] { FactoryApp.KeyFor("camera"), FactoryApp.KeyFor("viewer"), FactoryApp.KeyFor("admin"), "leaked-secret-key-42" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Camera_key_bound_to_cameras_may_only_send_for_them()
    {
        await using var app = new SecuredApp(new LogCollector(), new Dictionary<string, string?>
        {
            ["Auth:Keys:3:Name"] = "line-1",
            ["Auth:Keys:3:Role"] = "camera",
            ["Auth:Keys:3:Hash"] = Factory.Web.Security.ApiKeyEntry.HashKey("line-1-key"),
            ["Auth:Keys:3:Cameras:0"] = "CAM-01",
        });
        var client = app.CreateClientAs(null);
        client.DefaultRequestHeaders.Add("X-Api-Key", "line-1-key");

        using var own = await client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-1), camera: "CAM-01"));
        using var other = await client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-2), camera: "CAM-02"));

        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Contains("CAM-01", (await other.JsonAsync()).GetProperty("errors").GetProperty("camera_id")[0].GetString());
    }

    [Fact]
    public async Task Rate_limit_answers_429_with_retry_after_then_recovers()
    {
        await using var app = new SecuredApp(new LogCollector(), new Dictionary<string, string?>
        {
            ["Auth:PermitsPerSecond"] = "2",
            ["Auth:Burst"] = "3",
        });
        var client = app.CreateClientAs("viewer");
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var response = await client.GetAsync("/api/workers");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        Assert.True(statuses.Count >= 4, "the burst of 3 must be allowed first");
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        HttpStatusCode status;
        do
        {
            await Task.Delay(200);
            status = (await client.GetAsync("/api/workers")).StatusCode;
        }
        while (status == HttpStatusCode.TooManyRequests && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public void Outside_development_the_server_refuses_to_start_without_keys()
    {
        using var app = new SecuredApp(new LogCollector(), new Dictionary<string, string?>(), withKeys: false);
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains("Auth:Keys", error.ToString());
    }

    [Fact]
    public async Task Pages_and_api_carry_security_headers()
    {
        using var response = await _app.CreateClient().GetAsync("/api/workers");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string method, string path) => method == "POST"
        ? client.PostAsJsonAsync(path, path.EndsWith("batch", StringComparison.Ordinal)
            ? new { events = new[] { FactoryHttp.Event(FactoryApp.Start.AddMinutes(-1)) } }
            : FactoryHttp.Event(FactoryApp.Start.AddMinutes(-1)))
        : client.GetAsync(path);

    private sealed class SecuredApp(LogCollector logs, IDictionary<string, string?> settings, bool withKeys = true) : FactoryApp(settings, withKeys)
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddSingleton<ILogEventSink>(logs));
        }
    }

    private sealed class LogCollector : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent)
        {
            lock (Events)
            {
                Events.Add(logEvent);
            }
        }

        public string Render()
        {
            lock (Events)
            {
                return string.Join("\n", Events.Select(e => e.RenderMessage() + " " + string.Join(" ", e.Properties.Select(p => $"{p.Key}={p.Value}")) + " " + e.Exception));
            }
        }
    }
}
