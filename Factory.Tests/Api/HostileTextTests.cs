using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>Hostile text in the event filters; runs on the suite's engine, so on PostgreSQL in CI's second pass.</summary>
public sealed class HostileTextTests : ApiTest
{
    private static readonly DateTimeOffset Now = FactoryApp.Start;

    [Theory]
    [InlineData("/api/events", "camera_id")]
    [InlineData("/api/events", "worker_id")]
    [InlineData("/api/events", "workstation_id")]
    [InlineData("/api/export/events.csv", "camera_id")]
    [InlineData("/api/export/events.csv", "worker_id")]
    [InlineData("/api/export/events.csv", "workstation_id")]
    public async Task A_control_character_in_an_event_filter_is_a_400_naming_it(string path, string filter)
    {
        // No stored id has control characters (ingestion refuses them), and PostgreSQL refuses a NUL in a query.
        foreach (var text in new[] { "CAM\u000001", "a\r\nb", "\u001b[31m" })
        {
            var problem = await ProblemAssert.IsProblemAsync(await _client.GetAsync($"{path}?{filter}={Uri.EscapeDataString(text)}"), 400);
            Assert.True(problem.GetProperty("errors").TryGetProperty(filter, out _), problem.ToString());
        }
    }
}
