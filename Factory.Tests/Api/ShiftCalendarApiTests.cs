using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Core.Data;
using Factory.Core.Shifts;
using Factory.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

public sealed class ShiftCalendarApiTests() : ApiTest(shiftCalendars: true)
{
    private static readonly DateTimeOffset Now = FactoryApp.Start; // 2026-01-21T15:00Z; the factory's zone is UTC
    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        return body;
    }

    private static object Calendar(bool enabled, params object[] shifts) => new { enabled, shifts };

    private static object Shift(string name, string start, string end, params object[] breaks) => new { name, start, end, breaks };

    private static object Break(string name, string start, string end) => new { name, start, end };

    private async Task PostAsync(IEnumerable<object> events)
    {
        var list = events.ToList();
        var response = await _client.PostBatchAsync(list);
        var body = await response.JsonAsync();
        Assert.True(list.Count == body.GetProperty("accepted").GetInt32(), body.ToString());
    }

    [Fact]
    public async Task Get_shifts_returns_the_seeded_default_calendar_and_the_shift_in_progress()
    {
        var body = await OkAsync(await _app.CreateClientAs("viewer").GetAsync("/api/shifts"));

        Assert.True(body.GetProperty("enabled").GetBoolean());
        Assert.Equal("UTC", body.GetProperty("time_zone").GetString());
        var shifts = body.GetProperty("shifts").EnumerateArray().ToList();
        Assert.Equal(["morning", "evening", "night"], shifts.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal("06:00", shifts[0].GetProperty("start").GetString());
        Assert.Equal("14:00", shifts[0].GetProperty("end").GetString());
        var lunch = Assert.Single(shifts[0].GetProperty("breaks").EnumerateArray());
        Assert.Equal(("lunch", "13:00", "13:45"), (lunch.GetProperty("name").GetString(), lunch.GetProperty("start").GetString(), lunch.GetProperty("end").GetString()));
        Assert.Equal("22:00", shifts[2].GetProperty("start").GetString());
        Assert.Equal("06:00", shifts[2].GetProperty("end").GetString());

        var current = body.GetProperty("current");
        Assert.Equal("evening", current.GetProperty("shift").GetString());
        Assert.Equal("2026-01-21", current.GetProperty("date").GetString());
        Assert.Equal(new DateTime(2026, 1, 21, 14, 0, 0, DateTimeKind.Utc), current.GetProperty("start_time").GetDateTime().ToUniversalTime());
        Assert.Equal(new DateTime(2026, 1, 21, 22, 0, 0, DateTimeKind.Utc), current.GetProperty("end_time").GetDateTime().ToUniversalTime());
    }

    [Fact]
    public async Task Put_shifts_replaces_the_calendar_which_is_stored_and_read_back()
    {
        var put = await _client.PutAsJsonAsync("/api/admin/shifts", Calendar(true,
            Shift("Day", "07:00", "19:00", Break("lunch", "12:00", "12:30"), Break("tea", "16:00", "16:15")),
            Shift("Night", "19:00", "07:00", Break("meal", "00:00", "00:45"))));
        var written = await OkAsync(put);
        Assert.Equal("Day", written.GetProperty("current").GetProperty("shift").GetString());

        var read = await OkAsync(await _client.GetAsync("/api/shifts"));
        var shifts = read.GetProperty("shifts").EnumerateArray().ToList();
        Assert.Equal(["Day", "Night"], shifts.Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(["lunch", "tea"], shifts[0].GetProperty("breaks").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        Assert.Equal("00:45", shifts[1].GetProperty("breaks")[0].GetProperty("end").GetString());

        // Persisted: the rows in the database, and a store that has never cached anything reads the same calendar.
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        Assert.Equal(2, await db.Shifts.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(3, await db.ShiftBreaks.CountAsync(TestContext.Current.CancellationToken));
        var fresh = ActivatorUtilities.CreateInstance<ShiftCalendarStore>(_app.Services);
        var stored = await fresh.GetStoredAsync(TestContext.Current.CancellationToken);
        Assert.Equal(new TimeOnly(19, 0), stored.Find("night")!.Start);
        Assert.Equal(new TimeOnly(16, 15), stored.Find("day")!.Breaks[1].End);

        // Switching the calendar off keeps the shifts for editing but disables them.
        var off = await OkAsync(await _client.PutAsJsonAsync("/api/admin/shifts", Calendar(false, Shift("Day", "07:00", "19:00"))));
        Assert.False(off.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, off.GetProperty("current").ValueKind);
        Assert.Single(off.GetProperty("shifts").EnumerateArray());
    }

    [Fact]
    public async Task Put_shifts_needs_the_admin_role()
    {
        var response = await _app.CreateClientAs("viewer").PutAsJsonAsync("/api/admin/shifts", Calendar(true, Shift("Day", "07:00", "19:00")));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_calendars_are_a_400_naming_each_field_and_change_nothing()
    {
        var response = await _client.PutAsJsonAsync("/api/admin/shifts", Calendar(true,
            Shift("morning", "25:00", "14:00"),
            Shift("evening", "14:00", "6pm", Break("meal", "18:00", "18:30"))));
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        var errors = problem.GetProperty("errors");
        Assert.Contains("25:00", errors.GetProperty("shifts[0].start")[0].GetString());
        Assert.Contains("6pm", errors.GetProperty("shifts[1].end")[0].GetString());

        problem = await ProblemAssert.IsProblemAsync(await _client.PutAsJsonAsync("/api/admin/shifts", Calendar(true,
            Shift("day", "06:00", "14:00", Break("lunch", "15:00", "15:30"), Break("a", "07:00", "08:00"), Break("b", "07:30", "07:45")),
            Shift("DAY", "14:00", "22:00"))), 400);
        errors = problem.GetProperty("errors");
        Assert.Contains("not inside the shift", errors.GetProperty("shifts[0].breaks[0]")[0].GetString());
        Assert.Contains("overlap", errors.GetProperty("shifts[0].breaks[2]")[0].GetString());
        Assert.Contains("used twice", errors.GetProperty("shifts[1].name")[0].GetString());

        var thirteen = Enumerable.Range(0, 13).Select(i => Shift($"s{i}", "06:00", "07:00")).ToArray();
        problem = await ProblemAssert.IsProblemAsync(await _client.PutAsJsonAsync("/api/admin/shifts", Calendar(true, thirteen)), 400);
        Assert.Contains("At most 12 shifts", problem.GetProperty("errors").GetProperty("shifts")[0].GetString());

        var nine = Enumerable.Range(0, 9).Select(i => Break($"b{i}", $"0{i}:00", $"0{i}:10")).ToArray();
        problem = await ProblemAssert.IsProblemAsync(await _client.PutAsJsonAsync("/api/admin/shifts", Calendar(true, Shift("long", "00:00", "12:00", nine))), 400);
        Assert.Contains("At most 8 breaks", problem.GetProperty("errors").GetProperty("shifts[0].breaks")[0].GetString());

        problem = await ProblemAssert.IsProblemAsync(await _client.PutAsJsonAsync("/api/admin/shifts", new { shifts = Array.Empty<object>() }), 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("enabled", out _));

        var read = await OkAsync(await _client.GetAsync("/api/shifts"));
        Assert.Equal(["morning", "evening", "night"], read.GetProperty("shifts").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task An_unknown_shift_parameter_is_a_400_listing_the_known_shifts_on_every_metrics_read()
    {
        foreach (var path in new[] { "workers", "workstations", "factory", "timeseries" })
        {
            var problem = await ProblemAssert.IsProblemAsync(await _client.GetAsync($"/api/metrics/{path}?shift=weekend"), 400);
            var message = problem.GetProperty("errors").GetProperty("shift")[0].GetString();
            Assert.Contains("weekend", message);
            Assert.Contains("morning, evening, night", message);
        }

        await OkAsync(await _client.GetAsync("/api/metrics/factory?shift=Night"));
    }

    [Fact]
    public async Task Absence_during_the_lunch_break_is_break_hours_not_absent_hours_end_to_end()
    {
        var day = new DateTimeOffset(2026, 1, 21, 0, 0, 0, TimeSpan.Zero);
        await PostAsync(
        [
            FactoryHttp.Event(day.AddHours(12).AddMinutes(40), "W1", "S1", "working"),
            FactoryHttp.Event(day.AddHours(13).AddMinutes(30), "W1", "S1", "working"),
            FactoryHttp.Event(day.AddHours(13).AddMinutes(35), "W1", "S1", "working"),
            FactoryHttp.Event(day.AddHours(13).AddMinutes(40), "W1", "S1", "working"),
            FactoryHttp.Event(day.AddHours(14).AddMinutes(10), "W1", "S1", "working"),
        ]);
        var query = $"start_time={Iso(day.AddHours(12))}&end_time={Iso(day.AddHours(14))}";

        var w = (await OkAsync(await _client.GetAsync($"/api/metrics/workers?worker_id=W1&{query}")))[0];
        Assert.Equal(20.0 / 60, w.GetProperty("working_hours").GetDouble(), 12);
        Assert.Equal(0.5, w.GetProperty("absent_hours").GetDouble(), 12);
        Assert.Equal(0.5, w.GetProperty("break_hours").GetDouble(), 12);
        Assert.Equal(40, w.GetProperty("utilization_percentage").GetDouble(), 9);

        var f = await OkAsync(await _client.GetAsync($"/api/metrics/factory?{query}"));
        Assert.Equal(0.5, f.GetProperty("break_hours").GetDouble(), 12);

        var atLunch = (await OkAsync(await _client.GetAsync($"/api/metrics/workers?worker_id=W1&start_time={Iso(day.AddHours(12))}&end_time={Iso(day.AddHours(13).AddMinutes(20))}")))[0];
        Assert.Equal("on_break", atLunch.GetProperty("status").GetString());

        var buckets = (await OkAsync(await _client.GetAsync($"/api/metrics/timeseries?worker_id=W1&{query}"))).EnumerateArray().ToList();
        Assert.Equal([0.0, 0.5], buckets.Select(b => b.GetProperty("break_hours").GetDouble()));

        // The from-scratch path (as_of before the latest arrival) agrees.
        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await PostAsync([FactoryHttp.Event(Now.AddSeconds(30), "W2", "S2", "idle")]);
        var naive = (await OkAsync(await _client.GetAsync($"/api/metrics/workers?worker_id=W1&{query}&as_of={Iso(Now.AddSeconds(20))}")))[0];
        Assert.Equal(w.GetRawText(), naive.GetRawText());
    }

    [Fact]
    public async Task Morning_evening_and_night_figures_add_up_to_the_day_end_to_end()
    {
        var day = new DateTimeOffset(2026, 1, 20, 0, 0, 0, TimeSpan.Zero);
        var rng = new Random(7);
        var events = new List<object>();
        foreach (var (worker, station) in new[] { ("W1", "S1"), ("W4", "S3"), ("W6", "S5") })
        {
            for (var t = day.AddHours(-2); t < day.AddHours(26); t = t.AddSeconds(rng.Next(60, 1500)))
            {
                events.Add(FactoryHttp.Event(t, worker, station, rng.NextDouble() < 0.7 ? "working" : rng.NextDouble() < 0.5 ? "idle" : "absent"));
                if (rng.NextDouble() < 0.3)
                {
                    events.Add(FactoryHttp.Event(t.AddSeconds(20), worker, station, "product_count", count: rng.Next(1, 4)));
                }
            }
        }

        for (var i = 0; i < events.Count; i += 500)
        {
            await PostAsync(events.Skip(i).Take(500));
        }

        var query = $"start_time={Iso(day)}&end_time={Iso(day.AddDays(1))}";
        var whole = await OkAsync(await _client.GetAsync($"/api/metrics/factory?{query}"));
        var parts = new List<JsonElement>();
        foreach (var shift in new[] { "morning", "evening", "night" })
        {
            parts.Add(await OkAsync(await _client.GetAsync($"/api/metrics/factory?{query}&shift={shift}")));
        }

        Assert.True(whole.GetProperty("working_hours").GetDouble() > 10);
        foreach (var field in new[] { "working_hours", "idle_hours", "absent_hours", "break_hours", "tracked_hours" })
        {
            Assert.Equal(whole.GetProperty(field).GetDouble(), parts.Sum(p => p.GetProperty(field).GetDouble()), 9);
        }

        Assert.Equal(whole.GetProperty("total_units_produced").GetInt64(), parts.Sum(p => p.GetProperty("total_units_produced").GetInt64()));
        Assert.Equal(whole.GetProperty("events_in_window").GetInt64(), parts.Sum(p => p.GetProperty("events_in_window").GetInt64()));

        var workers = await OkAsync(await _client.GetAsync($"/api/metrics/workers?{query}"));
        var perShift = new List<JsonElement>();
        foreach (var shift in new[] { "morning", "evening", "night" })
        {
            perShift.Add(await OkAsync(await _client.GetAsync($"/api/metrics/workers?{query}&shift={shift}")));
        }

        for (var i = 0; i < workers.GetArrayLength(); i++)
        {
            Assert.Equal(workers[i].GetProperty("working_hours").GetDouble(), perShift.Sum(p => p[i].GetProperty("working_hours").GetDouble()), 9);
            Assert.Equal(workers[i].GetProperty("total_units_produced").GetInt64(), perShift.Sum(p => p[i].GetProperty("total_units_produced").GetInt64()));
        }
    }
}

public sealed class ShiftCalendarSwitchedOffApiTests : ApiTest
{
    [Fact]
    public async Task With_calendars_switched_off_any_shift_parameter_is_a_400_and_the_calendar_reads_as_disabled()
    {
        foreach (var path in new[] { "workers", "workstations", "factory", "timeseries" })
        {
            var problem = await ProblemAssert.IsProblemAsync(await _client.GetAsync($"/api/metrics/{path}?shift=morning"), 400);
            Assert.Contains("calendars are switched off", problem.GetProperty("errors").GetProperty("shift")[0].GetString());
        }

        var body = await (await _client.GetAsync("/api/shifts")).JsonAsync();
        Assert.False(body.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("current").ValueKind);
        Assert.Equal(3, body.GetProperty("shifts").GetArrayLength());
    }

    [Fact]
    public async Task The_metrics_service_refuses_a_shift_while_calendars_are_switched_off()
    {
        var service = _app.GetService<Factory.Core.Metrics.IMetricsService>();
        var window = service.ResolveWindow(null, null, null) with { Shift = "night" };

        var refused = await Assert.ThrowsAsync<UnknownShiftException>(() => service.GetFactoryAsync(window, TestContext.Current.CancellationToken));
        Assert.Contains("calendars are switched off", refused.Message);
        Assert.Empty(refused.KnownShifts);
    }

    [Fact]
    public async Task With_calendars_switched_off_absence_during_lunch_stays_absent()
    {
        var day = new DateTimeOffset(2026, 1, 21, 0, 0, 0, TimeSpan.Zero);
        await _client.PostBatchAsync([FactoryHttp.Event(day.AddHours(12).AddMinutes(40), "W1"), FactoryHttp.Event(day.AddHours(13).AddMinutes(30), "W1")]);

        var list = await (await _client.GetAsync("/api/metrics/workers?worker_id=W1&start_time=2026-01-21T12:00:00Z&end_time=2026-01-21T14:00:00Z")).JsonAsync();

        // 12:40–12:45 working, 12:45–13:30 absent; the open segment from 13:30 is off shift after 13:35 (silent for 90 minutes at 15:00).
        Assert.Equal(0.75, list[0].GetProperty("absent_hours").GetDouble(), 12);
        Assert.Equal(0, list[0].GetProperty("break_hours").GetDouble());
    }
}
