using System.Net;
using System.Text.Json;
using Factory.Core.Metrics;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

/// <summary>
/// Every read whose cost grows with the caller's choice is refused beyond its limit (Limits:MaxWindow, default the 90 days
/// of Retention:HotDays; Limits:MaxBuckets, 2000; Limits:MaxPageSize, 1000) with a 400 that names the parameter and the
/// limit, before the engine is asked anything.
/// </summary>
public sealed class ReadLimitTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = FactoryApp.Start;
    private readonly CountingApp _app = new();
    private HttpClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _client = _app.CreateClient();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));

    public static TheoryData<string> WindowReads => new()
    {
        "/api/metrics/workers",
        "/api/metrics/workstations",
        "/api/metrics/factory",
        "/api/metrics/timeseries?bucket=day",
        "/api/data-quality",
        "/api/events",
        "/api/export/events.csv",
        "/api/export/workers.csv",
        "/api/export/workstations.csv",
        "/api/export/factory.csv",
    };

    private async Task<JsonElement> RefusedAsync(string url, string parameter)
    {
        using var response = await _client.GetAsync(url);
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out var errors), $"{url}: no error on {parameter}: {problem}");
        return errors[0];
    }

    private async Task OkAsync(string url)
    {
        using var response = await _client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static string With(string path, string query) => path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;

    [Theory]
    [MemberData(nameof(WindowReads))]
    public async Task A_window_from_year_one_is_a_400_naming_start_time_and_the_window_limit_and_the_engine_is_not_asked(string path)
    {
        var message = (await RefusedAsync(With(path, "start_time=0001-01-01T00:00:00Z"), "start_time")).GetString();

        Assert.Contains("Limits:MaxWindow", message, StringComparison.Ordinal);
        Assert.Contains("90 days", message, StringComparison.Ordinal);
        Assert.Equal(0, _app.Metrics.Queries);
    }

    [Theory]
    [MemberData(nameof(WindowReads))]
    public async Task A_window_of_exactly_the_limit_is_read_and_one_minute_more_is_refused(string path)
    {
        var end = Now.AddHours(-1);
        await OkAsync(With(path, $"start_time={Iso(end.AddDays(-90))}&end_time={Iso(end)}"));
        await RefusedAsync(With(path, $"start_time={Iso(end.AddDays(-90).AddMinutes(-1))}&end_time={Iso(end)}"), "start_time");
    }

    [Fact]
    public async Task An_hourly_timeseries_beyond_2000_buckets_is_a_400_naming_bucket_while_daily_buckets_of_the_same_window_are_read()
    {
        var window = $"start_time={Iso(Now.AddDays(-85))}&end_time={Iso(Now)}";

        var message = (await RefusedAsync("/api/metrics/timeseries?bucket=hour&" + window, "bucket")).GetString();
        Assert.Contains("Limits:MaxBuckets", message, StringComparison.Ordinal);
        Assert.Contains("2040 hourly buckets", message, StringComparison.Ordinal);
        Assert.Equal(0, _app.Metrics.Queries);

        await OkAsync("/api/metrics/timeseries?bucket=day&" + window);
        await OkAsync($"/api/metrics/timeseries?bucket=hour&start_time={Iso(Now.AddHours(-2000))}&end_time={Iso(Now)}");
    }

    [Theory]
    [InlineData("1001")]
    [InlineData("99999999999999")]
    public async Task An_event_page_above_the_page_limit_is_a_400_naming_limit_and_the_setting(string limit)
    {
        var message = (await RefusedAsync("/api/events?limit=" + limit, "limit")).GetString();
        Assert.Contains("1000", message, StringComparison.Ordinal);
        Assert.Contains("Limits:MaxPageSize", message, StringComparison.Ordinal);
        await OkAsync("/api/events?limit=1000");
    }

    [Theory]
    [InlineData("/api/metrics/model-health/trend?days=91", "days", "Limits:MaxWindow")]
    [InlineData("/api/metrics/model-health/trend?days=2147483648", "days", "Limits:MaxWindow")]
    [InlineData("/api/metrics/model-distribution?days=1000", "days", "Limits:MaxWindow")]
    [InlineData("/api/metrics/model-health/trend?days=90&bucket=hour", "bucket", "Limits:MaxBuckets")]
    [InlineData("/api/metrics/model-health/heatmap?hours=169", "hours", "168")]
    public async Task Model_health_reads_beyond_their_limits_are_400s_naming_the_parameter(string url, string parameter, string limit)
    {
        var message = (await RefusedAsync(url, parameter)).GetString();
        Assert.Contains(limit, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/metrics/model-health/trend?days=90")]
    [InlineData("/api/metrics/model-health/trend?days=83&bucket=hour")]
    [InlineData("/api/metrics/model-distribution?days=90")]
    [InlineData("/api/metrics/model-health/heatmap?hours=168")]
    public async Task Model_health_reads_at_their_limits_are_answered(string url) => await OkAsync(url);

    [Fact]
    public async Task Configured_limits_replace_the_defaults()
    {
        await using var app = new FactoryApp(new Dictionary<string, string?>
        {
            ["Limits:MaxWindow"] = "7.00:00:00",
            ["Limits:MaxBuckets"] = "10",
            ["Limits:MaxPageSize"] = "50",
        });
        using var client = app.CreateClient();

        using var week = await client.GetAsync($"/api/metrics/factory?start_time={Iso(Now.AddDays(-8))}");
        Assert.Contains("7 days", ProblemAssert.Explanation(await ProblemAssert.IsProblemAsync(week, 400)), StringComparison.Ordinal);
        using var hours = await client.GetAsync("/api/metrics/timeseries?bucket=hour");
        Assert.Contains("at most 10 (Limits:MaxBuckets)", ProblemAssert.Explanation(await ProblemAssert.IsProblemAsync(hours, 400)), StringComparison.Ordinal);
        using var page = await client.GetAsync("/api/events?limit=51");
        Assert.Contains("Limits:MaxPageSize", ProblemAssert.Explanation(await ProblemAssert.IsProblemAsync(page, 400)), StringComparison.Ordinal);
        using var trend = await client.GetAsync("/api/metrics/model-health/trend?days=8");
        Assert.Contains("Limits:MaxWindow", ProblemAssert.Explanation(await ProblemAssert.IsProblemAsync(trend, 400)), StringComparison.Ordinal);
        using var day = await client.GetAsync("/api/metrics/timeseries?bucket=day");
        Assert.Equal(HttpStatusCode.OK, day.StatusCode);
    }

    /// <summary>The real engine behind a counter of the queries it was asked to compute.</summary>
    private sealed class CountingApp : FactoryApp
    {
        public CountingMetrics Metrics => (CountingMetrics)GetService<IMetricsService>();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<MetricsService>();
                services.AddSingleton<IMetricsService>(sp => new CountingMetrics(sp.GetRequiredService<MetricsService>()));
            });
        }
    }

    private sealed class CountingMetrics(IMetricsService inner) : IMetricsService
    {
        private int _queries;

        public int Queries => Volatile.Read(ref _queries);

        public MetricsWindow ResolveWindow(DateTime? start, DateTime? end, DateTime? asOf) => inner.ResolveWindow(start, end, asOf);

        public Task<IReadOnlyList<WorkerMetrics>> GetWorkersAsync(MetricsWindow window, string? workerId, CancellationToken ct = default) =>
            Count(inner.GetWorkersAsync(window, workerId, ct));

        public Task<IReadOnlyList<WorkstationMetrics>> GetWorkstationsAsync(MetricsWindow window, string? workstationId, CancellationToken ct = default) =>
            Count(inner.GetWorkstationsAsync(window, workstationId, ct));

        public Task<FactoryMetrics> GetFactoryAsync(MetricsWindow window, CancellationToken ct = default) => Count(inner.GetFactoryAsync(window, ct));

        public Task<IReadOnlyList<TimeseriesBucket>> GetTimeseriesAsync(MetricsWindow window, BucketSize bucket, string? workerId, string? workstationId, CancellationToken ct = default) =>
            Count(inner.GetTimeseriesAsync(window, bucket, workerId, workstationId, ct));

        public Task<IReadOnlyList<TimelineSegment>> GetWorkerTimelineAsync(MetricsWindow window, string workerId, CancellationToken ct = default) =>
            Count(inner.GetWorkerTimelineAsync(window, workerId, ct));

        private T Count<T>(T result)
        {
            Interlocked.Increment(ref _queries);
            return result;
        }
    }
}
