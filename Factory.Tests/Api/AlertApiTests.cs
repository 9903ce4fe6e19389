using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Core.Alerts;
using Factory.Tests.Edge;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>Alert rules, the lifecycle of an alert and the history, through the API, with the server's clock faked.</summary>
public sealed class AlertApiTests : ApiTest
{
    private HttpClient _admin => _client;

    private DateTimeOffset Now => _app.Time.GetUtcNow();

    /// <summary>Moves the clock and waits until the evaluator has run a pass at (or after) the new time.</summary>
    private async Task AdvanceAsync(TimeSpan by)
    {
        var engine = _app.GetService<AlertEngine>();
        _app.Time.Advance(by);
        var target = Now.UtcDateTime;
        await Eventually.TrueAsync(() => engine.LastPassAt >= target, $"an alert pass ran at {target:HH:mm:ss}", TimeSpan.FromSeconds(20));
    }

    private async Task PostAsync(params object[] events)
    {
        var response = await _admin.PostBatchAsync(events);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Asserts a 400 ProblemDetails and returns its errors by field.</summary>
    private static async Task<(Dictionary<string, string[]> Errors, JsonElement Problem)> ValidationAsync(HttpResponseMessage response)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        var errors = problem.GetProperty("errors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(e => e.GetString()!).ToArray());
        return (errors, problem);
    }

    private async Task<JsonElement> OpenAsync() => await _admin.GetFromJsonAsync<JsonElement>("/api/alerts/open");

    private static IEnumerable<JsonElement> OfRule(JsonElement list, int rule) => list.EnumerateArray().Where(a => a.GetProperty("rule_id").GetInt32() == rule);

    [Fact]
    public async Task Default_rules_ship_enabled_and_only_admins_may_read_or_change_them()
    {
        var rules = await _admin.GetFromJsonAsync<JsonElement>("/api/admin/alert-rules");
        Assert.Equal(DefaultAlertRules.All.Count, rules.GetArrayLength());
        Assert.All(rules.EnumerateArray(), r => Assert.True(r.GetProperty("enabled").GetBoolean()));
        var silent = rules.EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "camera_silent");
        Assert.Equal(JsonValueKind.Null, silent.GetProperty("threshold").ValueKind);
        Assert.Equal(10, silent.GetProperty("effective_threshold").GetDouble());
        Assert.True(silent.GetProperty("shift_time_only").GetBoolean());

        using var viewer = _app.CreateClientAs("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/admin/alert-rules")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/alerts")).StatusCode);
    }

    [Fact]
    public async Task An_invalid_rule_is_a_400_naming_each_field()
    {
        var response = await _admin.PostAsJsonAsync("/api/admin/alert-rules", new
        {
            name = "",
            kind = "coffee_break",
            threshold = "high",
            for_minutes = -5,
            scope = "planet",
            severity = "loud",
            targets = new[] { "pager" },
            escalate_after_minutes = 0,
            quiet_minutes = 99999,
        });
        var problem = await ValidationAsync(response);
        foreach (var field in new[] { "name", "kind", "threshold", "for_minutes", "scope", "severity", "targets", "escalate_after_minutes", "quiet_minutes" })
        {
            Assert.True(problem.Errors.ContainsKey(field), $"no error for {field}: {string.Join(", ", problem.Errors.Keys)}");
        }

        // Combinations: a scope the kind does not have, a threshold outside the kind's range, an unknown id.
        response = await _admin.PostAsJsonAsync("/api/admin/alert-rules", new { name = "x", kind = "model_confidence", scope = "worker", threshold = 1.5 });
        problem = await ValidationAsync(response);
        Assert.Contains("scope", problem.Errors.Keys);
        Assert.Contains("threshold", problem.Errors.Keys);
        response = await _admin.PostAsJsonAsync("/api/admin/alert-rules", new { name = "x", kind = "worker_idle_stretch", scope = "worker", scope_id = "W99" });
        Assert.Contains("W99", (await ValidationAsync(response)).Errors["scope_id"][0]);

        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PutAsJsonAsync("/api/admin/alert-rules/999", new { name = "x", kind = "camera_silent", scope = "camera" })).StatusCode);
        Assert.Equal(DefaultAlertRules.All.Count, (await _admin.GetFromJsonAsync<JsonElement>("/api/admin/alert-rules")).GetArrayLength());
    }

    [Fact]
    public async Task Rules_are_created_changed_and_deleted()
    {
        var created = await _admin.PostAsJsonAsync("/api/admin/alert-rules", new
        {
            name = "S3 slow",
            kind = "units_per_hour",
            threshold = 25,
            for_minutes = 20,
            scope = "workstation",
            scope_id = "S3",
            severity = "critical",
            shift_time_only = true,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = await created.JsonAsync();
        var id = rule.GetProperty("id").GetInt32();
        Assert.True(id > DefaultAlertRules.All.Count);
        Assert.Equal($"/api/admin/alert-rules/{id}", created.Headers.Location!.ToString());
        Assert.Equal("critical", rule.GetProperty("severity").GetString());

        var updated = await _admin.PutAsJsonAsync($"/api/admin/alert-rules/{id}", new { name = "S3 slow", kind = "units_per_hour", threshold = 30, scope = "workstation", scope_id = "S3", enabled = false });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var fetched = await _admin.GetFromJsonAsync<JsonElement>($"/api/admin/alert-rules/{id}");
        Assert.Equal(30, fetched.GetProperty("threshold").GetDouble());
        Assert.False(fetched.GetProperty("enabled").GetBoolean());
        Assert.Equal("warning", fetched.GetProperty("severity").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/admin/alert-rules/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync($"/api/admin/alert-rules/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_silent_camera_opens_at_the_delay_is_acknowledged_does_not_escalate_and_resolves_when_it_reports()
    {
        // A rule whose name a spreadsheet would run: the export must neutralise it.
        var injection = await _admin.PostAsJsonAsync("/api/admin/alert-rules", new { name = "=HYPERLINK(\"http://x\")", kind = "camera_silent", scope = "camera", scope_id = "CAM-01" });
        Assert.Equal(HttpStatusCode.Created, injection.StatusCode);
        var injectionRule = (await injection.JsonAsync()).GetProperty("id").GetInt32();

        var last = Now.AddSeconds(-1);
        await PostAsync(Enumerable.Range(0, 10).Select(m => FactoryHttp.Event(last.AddMinutes(-m), camera: "CAM-01")).ToArray());

        await AdvanceAsync(TimeSpan.FromMinutes(9));
        Assert.Empty(OfRule(await OpenAsync(), 1));

        await AdvanceAsync(TimeSpan.FromMinutes(1.5));
        var alert = Assert.Single(OfRule(await OpenAsync(), 1));
        Assert.Equal("camera_silent", alert.GetProperty("kind").GetString());
        Assert.Equal("camera", alert.GetProperty("scope").GetString());
        Assert.Equal("CAM-01", alert.GetProperty("entity_id").GetString());
        Assert.Equal("open", alert.GetProperty("state").GetString());
        Assert.Equal(last.UtcDateTime.AddMinutes(10), alert.GetProperty("opened_at").GetDateTime().ToUniversalTime());
        var id = alert.GetProperty("id").GetInt64();

        using var viewer = _app.CreateClientAs("viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync($"/api/alerts/{id}/acknowledge", new { comment = "me" })).StatusCode);
        var tooLong = await _admin.PostAsJsonAsync($"/api/alerts/{id}/acknowledge", new { comment = new string('x', 501) });
        Assert.Contains("comment", (await ValidationAsync(tooLong)).Errors.Keys);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.PostAsJsonAsync("/api/alerts/999999/acknowledge", new { })).StatusCode);

        var ack = await _admin.PostAsJsonAsync($"/api/alerts/{id}/acknowledge", new { comment = "power cable checked" });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var acked = await ack.JsonAsync();
        Assert.Equal("acknowledged", acked.GetProperty("state").GetString());
        Assert.Equal("test-admin (admin)", acked.GetProperty("acknowledged_by").GetString());
        Assert.Equal("power cable checked", acked.GetProperty("acknowledge_comment").GetString());
        Assert.Equal(Now.UtcDateTime, acked.GetProperty("acknowledged_at").GetDateTime().ToUniversalTime());
        Assert.Equal(HttpStatusCode.Conflict, (await _admin.PostAsJsonAsync($"/api/alerts/{id}/acknowledge", new { })).StatusCode);

        // The rule escalates after 30 unacknowledged minutes; this one was acknowledged. The other rule's alert was not.
        await AdvanceAsync(TimeSpan.FromMinutes(31));
        var open = await OpenAsync();
        Assert.Equal("warning", Assert.Single(OfRule(open, 1)).GetProperty("severity").GetString());
        Assert.Equal(JsonValueKind.Null, Assert.Single(OfRule(open, 1)).GetProperty("escalated_at").ValueKind);

        await PostAsync(FactoryHttp.Event(Now.AddSeconds(-1), camera: "CAM-01"));
        await Eventually.TrueAsync(() => !OfRule(OpenAsync().GetAwaiter().GetResult(), 1).Any(), "the alert resolved", TimeSpan.FromSeconds(20));
        var resolved = await _admin.GetFromJsonAsync<JsonElement>($"/api/alerts/{id}");
        Assert.Equal("resolved", resolved.GetProperty("state").GetString());
        Assert.Equal("test-admin (admin)", resolved.GetProperty("acknowledged_by").GetString());

        var history = await _admin.GetFromJsonAsync<JsonElement>("/api/alerts?state=resolved&scope=camera&rule_id=1");
        Assert.Equal(id, Assert.Single(history.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Empty((await _admin.GetFromJsonAsync<JsonElement>("/api/alerts?severity=critical&rule_id=1")).GetProperty("items").EnumerateArray());

        var csv = await _admin.GetStringAsync("/api/alerts/export.csv?scope=camera");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,opened_at,resolved_at,state,severity,rule_id,rule_name", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith($"{id},", StringComparison.Ordinal) && l.Contains("power cable checked", StringComparison.Ordinal));
        Assert.Contains("'=HYPERLINK", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",=HYPERLINK", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",\"=HYPERLINK", csv, StringComparison.Ordinal);

        // Silent again past the quiet period: both rules open new alerts. Deleting a rule resolves its open alert.
        await AdvanceAsync(TimeSpan.FromMinutes(11));
        Assert.NotEqual(id, Assert.Single(OfRule(await OpenAsync(), 1)).GetProperty("id").GetInt64());
        Assert.Single(OfRule(await OpenAsync(), injectionRule));
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/admin/alert-rules/{injectionRule}")).StatusCode);
        await AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Empty(OfRule(await OpenAsync(), injectionRule));
    }

    [Fact]
    public async Task History_reads_check_their_parameters_and_limit_the_range()
    {
        var naive = await _admin.GetAsync("/api/alerts?start_time=2026-01-21T10:00:00");
        Assert.Contains("start_time", (await ValidationAsync(naive)).Errors.Keys);
        var wide = await _admin.GetAsync("/api/alerts?start_time=2020-01-01T00:00:00Z&end_time=2026-01-21T00:00:00Z");
        Assert.Contains("366 days", (await ValidationAsync(wide)).Errors["start_time"][0]);
        var bad = await _admin.GetAsync("/api/alerts?state=sleeping&severity=loud&limit=0&rule_id=x&cursor=-1");
        var problem = await ValidationAsync(bad);
        foreach (var field in new[] { "state", "severity", "limit", "rule_id", "cursor" })
        {
            Assert.Contains(field, problem.Errors.Keys);
        }

        Assert.Contains("start_time", (await ValidationAsync(await _admin.GetAsync("/api/alerts/export.csv?start_time=yesterday"))).Errors.Keys);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync("/api/alerts/424242")).StatusCode);
    }

    [Fact]
    public async Task Workstations_name_their_cameras_through_the_registry_api()
    {
        var bad = await _admin.PutAsJsonAsync("/api/admin/workstations/S1", new { name = "Assembly Line A", cameras = new[] { "CAM-01", "bad id!" } });
        Assert.Contains("bad id!", (await ValidationAsync(bad)).Errors["cameras"][0]);

        var ok = await _admin.PutAsJsonAsync("/api/admin/workstations/S1", new { name = "Assembly Line A", cameras = new[] { "CAM-01", "CAM-11" } });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var station = (await _admin.GetFromJsonAsync<JsonElement>("/api/workstations")).EnumerateArray().Single(s => s.GetProperty("id").GetString() == "S1");
        Assert.Equal(["CAM-01", "CAM-11"], station.GetProperty("cameras").EnumerateArray().Select(c => c.GetString()));
        var other = (await _admin.GetFromJsonAsync<JsonElement>("/api/workstations")).EnumerateArray().Single(s => s.GetProperty("id").GetString() == "S2");
        Assert.Equal(0, other.GetProperty("cameras").GetArrayLength());
    }
}
