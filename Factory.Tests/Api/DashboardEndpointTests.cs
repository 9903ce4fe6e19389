using System.Net;
using System.Text.Json;
using Factory.Core.Metrics;
using Factory.Tests.Components;
using Factory.Tests.Infrastructure;
using Factory.Web.Hubs;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

/// <summary>The dashboard's HTTP surface: CSV exports, the live hub, pages and the split between page and API 404s.</summary>
public sealed class DashboardEndpointTests : ApiTest
{
    private readonly FakeMetricsService _metrics;

    public DashboardEndpointTests() : this(new FakeMetricsService())
    {
    }

    private DashboardEndpointTests(FakeMetricsService metrics) : base(new AppWithMetrics(metrics)) => _metrics = metrics;

    private HttpClient Client() => _app.CreateClient();

    /// <summary>The real server with the metrics engine replaced by a fake whose figures the test sets.</summary>
    private sealed class AppWithMetrics(FakeMetricsService metrics) : FactoryApp
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.AddSingleton<IMetricsService>(metrics));
        }
    }

    [Fact]
    public async Task Events_csv_streams_the_filtered_log_newest_first()
    {
        var client = Client();
        var t = FactoryApp.Start.AddMinutes(-30);
        var batch = await client.PostBatchAsync(
        [
            FactoryHttp.Event(t, worker: "W1"),
            FactoryHttp.Event(t.AddMinutes(1), worker: "W2", type: "idle"),
            FactoryHttp.Event(t.AddMinutes(2), worker: "W2", type: "product_count", count: 4, camera: "=cmd()"),
        ]);
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);

        var response = await client.GetAsync("/api/export/events.csv?worker_id=W2");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);

        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,timestamp,received_at,worker_id,workstation_id,event_type,confidence,count,camera_id,model_version,event_id,low_confidence,lag_seconds", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains(",W2,S1,product_count,0.9,4,", lines[1], StringComparison.Ordinal);
        Assert.Contains("2026-01-21T14:32:00Z", lines[1], StringComparison.Ordinal);
        Assert.Contains(",W2,S1,idle,", lines[2], StringComparison.Ordinal);
        // A formula-looking camera id is escaped so spreadsheets do not run it.
        Assert.DoesNotContain(",=cmd()", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Events_csv_rejects_bad_filters_with_a_problem_naming_them()
    {
        var response = await Client().GetAsync("/api/export/events.csv?start_time=2026-01-21T10:00&event_type=dancing");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body.GetProperty("errors").TryGetProperty("start_time", out _));
        Assert.True(body.GetProperty("errors").TryGetProperty("event_type", out _));
    }

    [Fact]
    public async Task Workers_csv_lists_the_engine_figures()
    {
        _metrics.Workers = [DashboardTestContext.Worker("W1", "Amara Okafor", 7.5, 0.5, 0, 45)];
        var response = await Client().GetAsync("/api/export/workers.csv?worker_id=W1&start_time=2026-01-21T06:00:00Z&end_time=2026-01-21T14:00:00Z");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("worker_id,worker_name,start_time,end_time,as_of,working_hours", lines[0], StringComparison.Ordinal);
        Assert.Equal("W1,Amara Okafor,2026-01-21T06:00:00Z,2026-01-21T14:00:00Z,2026-01-21T14:00:00Z,7.5,0.5,0,8,93.75,45,6,2026-01-21T14:59:00Z,working,7.5,0.5,0,", lines[1]);
    }

    [Fact]
    public async Task Workers_csv_for_an_unknown_worker_is_a_404_problem()
    {
        var response = await Client().GetAsync("/api/export/workers.csv?worker_id=W99");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Unknown_api_paths_stay_problem_details_and_unknown_pages_get_the_dashboard_page()
    {
        var client = Client();
        var api = await client.GetAsync("/api/nothing/here");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType!.MediaType);

        var page = await client.GetAsync("/nothing/here");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Page not found", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overview_is_prerendered_with_the_engine_figures()
    {
        _metrics.Factory = DashboardTestContext.Factory(working: 30, tracked: 40, units: 180, active: 4);
        var response = await Client().GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Factory overview", html, StringComparison.Ordinal);
        Assert.Contains("75.0 %", html, StringComparison.Ordinal);
        Assert.Contains("data-interactive=\"false\"", html, StringComparison.Ordinal);
        Assert.Contains("components-reconnect-modal", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_hub_pushes_each_stored_event_to_external_clients()
    {
        await using var connection = LiveHubConnection();
        var received = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<JsonElement>(LiveHub.EventsMethod, e => received.TrySetResult(e));
        await connection.StartAsync(TestContext.Current.CancellationToken);

        var post = await Client().PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-1), worker: "W4", station: "S5", type: "idle"));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);

        var events = await received.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(1, events.GetArrayLength());
        Assert.Equal("W4", events[0].GetProperty("worker_id").GetString());
        Assert.Equal("idle", events[0].GetProperty("event_type").GetString());
        Assert.Equal("S5", events[0].GetProperty("workstation_id").GetString());
    }

    [Fact]
    public async Task Live_hub_pushes_model_alerts_when_they_change()
    {
        await using var connection = LiveHubConnection();
        var received = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<JsonElement>(LiveHub.AlertsMethod, a =>
        {
            if (a.EnumerateArray().Any(x => x.GetProperty("kind").GetString() == "critical_average"))
            {
                received.TrySetResult(a);
            }
        });
        await connection.StartAsync(TestContext.Current.CancellationToken);

        var low = Enumerable.Range(1, 20).Select(i => FactoryHttp.Event(FactoryApp.Start.AddSeconds(-i), worker: $"W{i % 6 + 1}", confidence: 0.5));
        (await Client().PostBatchAsync(low)).EnsureSuccessStatusCode();
        (await Client().GetAsync("/api/metrics/model-health")).EnsureSuccessStatusCode();

        var alerts = await received.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Contains("below", alerts[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A SignalR client for <c>/hubs/live</c> that talks to the in-memory server.</summary>
    private HubConnection LiveHubConnection()
    {
        var server = _app.Server;
        return new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, "hubs/live"), o =>
            {
                o.HttpMessageHandlerFactory = _ => server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                o.Headers["X-Api-Key"] = FactoryApp.KeyFor("viewer");
            })
            .Build();
    }
}
