using System.Net;
using Factory.Core.Seeding;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Core.Seeding;

public sealed class DemoDataHostingTests
{
    // A deadline for a wait, not a speed target (seeding speed is measured by the benchmarks): generous for a loaded machine.
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task An_empty_database_is_seeded_at_start_up_when_enabled()
    {
        await using var app = new FactoryApp(new Dictionary<string, string?> { ["Seed:OnEmptyDatabase"] = "true" });
        var client = app.CreateClient();

        var result = await app.GetService<EmptyDatabaseSeeding>().Completion.WaitAsync(Deadline);

        Assert.NotNull(result);
        Assert.True(result.Accepted > 2000, $"only {result.Accepted} events stored");
        Assert.Equal(FactoryApp.Start.UtcDateTime.AddHours(-24), result.From);
        var page = await client.GetAsync("/api/events?limit=10");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(10, (await page.JsonAsync()).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Start_up_seeding_is_off_unless_configured()
    {
        await using var app = new FactoryApp();
        var client = app.CreateClient();

        Assert.Null(await app.GetService<EmptyDatabaseSeeding>().Completion.WaitAsync(Deadline));
        Assert.Equal(0, (await (await client.GetAsync("/api/events")).JsonAsync()).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Simulated_cameras_keep_posting_current_events_as_time_passes()
    {
        await using var app = new FactoryApp(new Dictionary<string, string?>
        {
            ["Simulator:Enabled"] = "true",
            ["Simulator:Interval"] = "00:00:05",
        });
        var client = app.CreateClient();
        var simulator = app.GetService<SimulatedCameras>();

        // 15:00Z on a Wednesday: the evening shift (W4, W5) is at work. Advance the fake clock until posts arrive.
        var deadline = DateTime.UtcNow + Deadline;
        while (simulator.Posted < 20 && DateTime.UtcNow < deadline)
        {
            app.Time.Advance(TimeSpan.FromSeconds(30));
            await Task.Yield();
            await WaitForPostsAsync(simulator, TimeSpan.FromMilliseconds(200));
        }

        Assert.True(simulator.Posted >= 20, $"only {simulator.Posted} events posted");
        var now = app.Time.GetUtcNow().UtcDateTime;
        var items = (await (await client.GetAsync("/api/events?limit=1000")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.All(items, i => Assert.InRange(i.GetProperty("timestamp").GetDateTime().ToUniversalTime(), FactoryApp.Start.UtcDateTime, now));
        Assert.Contains(items, i => i.GetProperty("worker_id").GetString() is "W4" or "W5");
        Assert.DoesNotContain(items, i => i.GetProperty("worker_id").GetString() is "W1" or "W2" or "W3" or "W6");
    }

    private static async Task WaitForPostsAsync(SimulatedCameras simulator, TimeSpan wait)
    {
        var before = simulator.Posted;
        var until = DateTime.UtcNow + wait;
        while (simulator.Posted == before && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }
    }
}
