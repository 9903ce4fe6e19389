using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

public sealed class PrometheusTests : ApiTest
{
    [Fact]
    public async Task Metrics_endpoint_exports_ingestion_counters_commit_latency_requests_and_dashboards()
    {
        var client = _app.CreateClient();
        var e = FactoryHttp.Event(FactoryApp.Start.AddMinutes(-1));
        (await client.PostEventAsync(e)).EnsureSuccessStatusCode();
        (await client.PostEventAsync(e)).EnsureSuccessStatusCode();
        await client.PostEventAsync(new { timestamp = "nope" });

        var text = await client.GetStringAsync("/metrics");

        // Meters are process-wide and other test servers run in this process, so only lower bounds hold here.
        Assert.True(Value(text, "factory_ingestion_events_stored") >= 1, text);
        Assert.True(Value(text, "factory_ingestion_events_duplicate") >= 1, text);
        Assert.True(Value(text, "factory_ingestion_events_rejected") >= 1, text);
        Assert.Contains("factory_ingestion_commit_latency_seconds_count", text, StringComparison.Ordinal);
        Assert.Contains("factory_dashboard_connected", text, StringComparison.Ordinal);
        Assert.Contains("http_requests_received_total", text, StringComparison.Ordinal);
    }

    private static double Value(string text, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, $@"(?m)^{name}(?:_total)?(?:\{{[^}}]*\}})? ([0-9.eE+-]+)$");
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
