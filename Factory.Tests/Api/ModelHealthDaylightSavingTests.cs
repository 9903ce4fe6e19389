using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>Daily confidence trends follow the plant's local days, 23 hours long when the clocks go forward.</summary>
public sealed class ModelHealthDaylightSavingTests() : ApiTest(new Dictionary<string, string?> { ["Factory:TimeZone"] = "Europe/Berlin" })
{
    [Fact]
    public async Task Daily_trend_buckets_start_at_local_midnight_across_the_spring_change()
    {
        _app.Time.SetUtcNow(new DateTimeOffset(2026, 3, 30, 12, 0, 0, TimeSpan.Zero));
        using var client = _app.CreateClient();
        DateTimeOffset[] stamps =
        [
            new(2026, 3, 28, 22, 30, 0, TimeSpan.Zero), // 23:30 on the 28th (CET)
            new(2026, 3, 28, 23, 30, 0, TimeSpan.Zero), // 00:30 on the 29th (CET)
            new(2026, 3, 29, 21, 30, 0, TimeSpan.Zero), // 23:30 on the 29th (CEST)
            new(2026, 3, 29, 22, 30, 0, TimeSpan.Zero), // 00:30 on the 30th (CEST)
        ];
        var response = await client.PostBatchAsync(stamps.Select(t => FactoryHttp.Event(t, model: "v1")));
        response.EnsureSuccessStatusCode();

        var trend = await client.GetFromJsonAsync<JsonElement>("/api/metrics/model-health/trend?days=7&bucket=day", TestContext.Current.CancellationToken);

        var points = trend.EnumerateArray().Select(p => (p.GetProperty("start").GetDateTime().ToUniversalTime(), p.GetProperty("samples").GetInt64())).ToList();
        Assert.Equal(
        [
            (new DateTime(2026, 3, 27, 23, 0, 0, DateTimeKind.Utc), 1L),
            (new DateTime(2026, 3, 28, 23, 0, 0, DateTimeKind.Utc), 2L),
            (new DateTime(2026, 3, 29, 22, 0, 0, DateTimeKind.Utc), 1L),
        ], points);
    }
}
