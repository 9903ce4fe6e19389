using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Factory.Core.Data;
using Factory.Core.ModelHealth;
using Factory.Core.Seeding;
using Factory.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

public sealed class SeedApiTests : ApiTest
{
    public override ValueTask InitializeAsync()
    {
        _client.Timeout = TimeSpan.FromMinutes(5);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Seeding_seven_days_for_six_workers_completes_through_the_api()
    {
        var watch = Stopwatch.StartNew();
        var response = await _client.PostAsync("/api/seed?hours_back=168&clear_existing=true", null);
        watch.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        var generated = body.GetProperty("generated").GetInt32();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"7 days seeded: {generated} events generated, {body.GetProperty("accepted").GetInt32()} stored, server {body.GetProperty("elapsed_ms").GetInt64()} ms, request {watch.ElapsedMilliseconds} ms");

        Assert.InRange(generated, 20_000, 40_000);
        Assert.Equal(generated, body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, body.GetProperty("rejected").GetInt32());
        Assert.Equal(0, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(168, body.GetProperty("hours_back").GetInt32());
        Assert.Equal(FactoryApp.Start.UtcDateTime.AddDays(-7), body.GetProperty("start_time").GetDateTime().ToUniversalTime());
        Assert.Equal(generated, await CountEventsAsync());

        var workers = await CountAsync(db => db.Events.Select(e => e.WorkerId).Distinct().CountAsync());
        Assert.Equal(6, workers);
    }

    [Theory]
    [InlineData("hours_back=0", "hours_back")]
    [InlineData("hours_back=169", "hours_back")]
    [InlineData("hours_back=abc", "hours_back")]
    [InlineData("hours_back=", "hours_back")]
    [InlineData("clear_existing=maybe", "clear_existing")]
    public async Task Seed_rejects_a_bad_parameter_with_a_400_naming_it(string query, string parameter)
    {
        var response = await _client.PostAsync("/api/seed?" + query, null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
        Assert.Equal(0, await CountEventsAsync());
    }

    [Fact]
    public async Task Admin_seed_rejects_a_bad_clear_existing()
    {
        var response = await _client.PostAsync("/api/admin/seed?clear_existing=yes please", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("clear_existing", out _));
    }

    [Fact]
    public async Task Rerunning_a_seed_without_clearing_stores_no_duplicates()
    {
        var first = await SeedAsync("/api/seed?hours_back=24");
        var countAfterFirst = await CountEventsAsync();
        var second = await SeedAsync("/api/seed?hours_back=24");

        Assert.True(first.GetProperty("accepted").GetInt32() > 2000);
        Assert.Equal(first.GetProperty("accepted").GetInt32(), countAfterFirst);
        Assert.Equal(0, second.GetProperty("accepted").GetInt32());
        Assert.Equal(second.GetProperty("generated").GetInt32(), second.GetProperty("duplicates").GetInt32());
        Assert.Equal(countAfterFirst, await CountEventsAsync());
    }

    [Fact]
    public async Task A_longer_seed_over_a_shorter_one_adds_only_the_earlier_hours()
    {
        var day = await SeedAsync("/api/seed?hours_back=24");
        var twoDays = await SeedAsync("/api/seed?hours_back=48");

        Assert.Equal(day.GetProperty("accepted").GetInt32(), twoDays.GetProperty("duplicates").GetInt32());
        Assert.Equal(twoDays.GetProperty("generated").GetInt32(), await CountEventsAsync());
    }

    [Fact]
    public async Task Clear_existing_deletes_all_events_before_seeding()
    {
        var own = await _client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-3), worker: "W1", type: "idle", eventId: "not-from-the-generator"));
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        var ownId = (await own.JsonAsync()).GetProperty("id").GetInt64();
        await SeedAsync("/api/seed?hours_back=2");
        var before = await CountEventsAsync();

        var cleared = await SeedAsync("/api/admin/seed?clear_existing=true");

        Assert.Equal(before, cleared.GetProperty("deleted").GetInt64());
        Assert.True(cleared.GetProperty("clear_existing").GetBoolean());
        Assert.Equal(cleared.GetProperty("generated").GetInt32(), cleared.GetProperty("accepted").GetInt32());
        Assert.Equal(cleared.GetProperty("accepted").GetInt32(), await CountEventsAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/events/{ownId}")).StatusCode);
    }

    [Fact]
    public async Task Clearing_rebuilds_the_model_health_aggregates()
    {
        var aggregates = _app.GetService<ConfidenceAggregates>();
        await aggregates.EnsureLoadedAsync();
        await SeedAsync("/api/seed?hours_back=48");
        Assert.Equal(await CountEventsAsync(), aggregates.Cells.Sum(c => c.Value.Count));

        await SeedAsync("/api/seed?hours_back=3&clear_existing=true");

        var stored = await CountEventsAsync();
        Assert.InRange(stored, 100, 1500);
        Assert.Equal(stored, aggregates.Cells.Sum(c => c.Value.Count));
    }

    [Fact]
    public async Task Admin_seed_covers_the_last_24_hours_up_to_now()
    {
        var body = await SeedAsync("/api/admin/seed");
        var now = FactoryApp.Start.UtcDateTime;

        Assert.Equal(24, body.GetProperty("hours_back").GetInt32());
        Assert.Equal(now.AddHours(-24), body.GetProperty("start_time").GetDateTime().ToUniversalTime());
        Assert.Equal(now, body.GetProperty("end_time").GetDateTime().ToUniversalTime());
        var (oldest, newest) = await CountAsync(async db => (await db.Events.MinAsync(e => e.Timestamp), await db.Events.MaxAsync(e => e.Timestamp)));
        Assert.InRange(oldest, now.AddHours(-24), now.AddHours(-23));
        Assert.InRange(newest, now.AddMinutes(-5), now.AddTicks(-1));
        // Generated events carry the fields a camera sends.
        var page = await (await _client.GetAsync("/api/events?limit=1")).JsonAsync();
        var item = page.GetProperty("items")[0];
        Assert.StartsWith("CAM-0", item.GetProperty("camera_id").GetString());
        Assert.StartsWith("yolov8-v2.", item.GetProperty("model_version").GetString());
        Assert.StartsWith("demo-", item.GetProperty("event_id").GetString());
    }

    [Fact]
    public async Task Seeding_reports_progress_through_to_done()
    {
        var reports = new List<SeedProgress>();
        var progress = new SynchronousProgress(reports.Add);

        var result = await _app.GetService<DemoDataSeeder>().SeedAsync(new SeedRequest(TimeSpan.FromHours(12), ClearExisting: true), progress);

        Assert.Equal(SeedPhase.Clearing, reports[0].Phase);
        Assert.Contains(reports, r => r.Phase == SeedPhase.Seeding && r.Fraction is > 0 and < 1);
        Assert.Equal(SeedPhase.Done, reports[^1].Phase);
        Assert.Equal(result.Generated, reports[^1].Generated);
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.Generated >= p.First.Generated));
    }

    private async Task<JsonElement> SeedAsync(string url)
    {
        var response = await _client.PostAsync(url, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private Task<int> CountEventsAsync() => CountAsync(db => db.Events.CountAsync());

    private async Task<T> CountAsync<T>(Func<FactoryDbContext, Task<T>> query)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<FactoryDbContext>());
    }

    /// <summary>Reports on the caller's thread, unlike <see cref="Progress{T}"/>, so the list is complete when seeding returns.</summary>
    private sealed class SynchronousProgress(Action<SeedProgress> report) : IProgress<SeedProgress>
    {
        public void Report(SeedProgress value) => report(value);
    }
}
