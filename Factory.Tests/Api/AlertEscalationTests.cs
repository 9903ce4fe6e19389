using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Core.Alerts;
using Factory.Core.Alerts.Notifications;
using Factory.Tests.Alerts;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>Escalation through the API with the server's clock faked: the outbox gets the escalation targets' deliveries.</summary>
public sealed class AlertEscalationTests
{
    private const string PagerSecret = "pager-secret-0123456789";

    [Fact]
    public async Task An_unacknowledged_alert_escalates_after_the_rule_minutes_and_notifies_the_escalation_targets_an_acknowledged_one_does_not()
    {
        await using var receiver = new WebhookReceiver();
        receiver.Start();
        await using var app = new FactoryApp(new Dictionary<string, string?>
        {
            ["Alerts:Targets:team:Type"] = "Webhook",
            ["Alerts:Targets:team:Url"] = receiver.Url("team"),
            ["Alerts:Targets:pager:Type"] = "Webhook",
            ["Alerts:Targets:pager:Url"] = receiver.Url("pager"),
            ["Alerts:Targets:pager:Secret"] = PagerSecret,
        });
        using var admin = app.CreateClient();
        var engine = app.GetService<AlertEngine>();

        async Task AdvanceAsync(TimeSpan by)
        {
            app.Time.Advance(by);
            var target = app.Time.GetUtcNow().UtcDateTime;
            await Eventually.TrueAsync(() => engine.LastPassAt >= target, $"an alert pass ran at {target:HH:mm:ss}", TimeSpan.FromSeconds(20));
        }

        async Task<List<JsonElement>> OpenAsync() =>
            (await admin.GetFromJsonAsync<JsonElement>("/api/alerts/open")).EnumerateArray().Where(a => a.GetProperty("rule_id").GetInt32() == 1).ToList();

        async Task<List<JsonElement>> DeliveriesAsync() =>
            (await admin.GetFromJsonAsync<JsonElement>("/api/admin/alert-deliveries")).EnumerateArray().ToList();

        var rule = await admin.PutAsJsonAsync("/api/admin/alert-rules/1", new
        {
            name = "Camera silent during shift",
            kind = "camera_silent",
            scope = "camera",
            severity = "warning",
            shift_time_only = true,
            targets = new[] { "team" },
            escalate_after_minutes = 15,
            escalation_targets = new[] { "pager" },
        });
        Assert.Equal(HttpStatusCode.OK, rule.StatusCode);

        // Two cameras report for ten minutes, then both stay silent.
        var last = app.Time.GetUtcNow().AddSeconds(-1);
        var events = Enumerable.Range(0, 10).SelectMany(m => new[]
        {
            FactoryHttp.Event(last.AddMinutes(-m), worker: "W1", station: "S1", camera: "CAM-01"),
            FactoryHttp.Event(last.AddMinutes(-m), worker: "W2", station: "S2", camera: "CAM-02"),
        });
        (await admin.PostBatchAsync(events)).EnsureSuccessStatusCode();

        await AdvanceAsync(TimeSpan.FromMinutes(10.5));
        var open = await OpenAsync();
        Assert.Equal(2, open.Count);
        var unacknowledged = open.Single(a => a.GetProperty("entity_id").GetString() == "CAM-01").GetProperty("id").GetInt64();
        var acknowledged = open.Single(a => a.GetProperty("entity_id").GetString() == "CAM-02").GetProperty("id").GetInt64();
        var openedAt = last.UtcDateTime.AddMinutes(10);
        Assert.All(open, a => Assert.Equal(openedAt, a.GetProperty("opened_at").GetDateTime().ToUniversalTime()));
        var ack = await admin.PostAsJsonAsync($"/api/alerts/{acknowledged}/acknowledge", new { comment = "on the way" });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);

        // A minute before the escalation is due: nothing escalated, only the two "opened" deliveries to the rule's target.
        await AdvanceAsync(openedAt.AddMinutes(14) - app.Time.GetUtcNow().UtcDateTime);
        Assert.All(await OpenAsync(), a => Assert.Equal(JsonValueKind.Null, a.GetProperty("escalated_at").ValueKind));
        var before = await DeliveriesAsync();
        Assert.Equal(2, before.Count);
        Assert.All(before, d =>
        {
            Assert.Equal("opened", d.GetProperty("change").GetString());
            Assert.Equal("team", d.GetProperty("target").GetString());
        });

        // Past the 15 minutes: the unacknowledged alert goes up one severity and the outbox holds one delivery to the pager.
        await AdvanceAsync(TimeSpan.FromMinutes(1.5));
        var escalatedAt = app.Time.GetUtcNow().UtcDateTime;
        open = await OpenAsync();
        var escalated = open.Single(a => a.GetProperty("id").GetInt64() == unacknowledged);
        Assert.Equal("critical", escalated.GetProperty("severity").GetString());
        Assert.Equal("open", escalated.GetProperty("state").GetString());
        Assert.Equal(escalatedAt, escalated.GetProperty("escalated_at").GetDateTime().ToUniversalTime());
        var quiet = open.Single(a => a.GetProperty("id").GetInt64() == acknowledged);
        Assert.Equal("warning", quiet.GetProperty("severity").GetString());
        Assert.Equal("acknowledged", quiet.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, quiet.GetProperty("escalated_at").ValueKind);

        var escalations = (await DeliveriesAsync()).Where(d => d.GetProperty("change").GetString() == "escalated").ToList();
        var delivery = Assert.Single(escalations);
        Assert.Equal("pager", delivery.GetProperty("target").GetString());
        Assert.Equal(unacknowledged, delivery.GetProperty("alert_id").GetInt64());

        // The pager receives it, signed, about the right alert.
        await Eventually.TrueAsync(() => receiver.Snapshot().Any(r => r.Path == "/pager"), "the pager received the escalation", TimeSpan.FromSeconds(20));
        var page = receiver.Snapshot().Single(r => r.Path == "/pager");
        Assert.Equal("escalated", page.Headers[WebhookSignature.EventHeader]);
        Assert.True(WebhookSignature.Verify(PagerSecret, page.Headers[WebhookSignature.TimestampHeader], page.Headers[WebhookSignature.SignatureHeader], page.Body, app.Time.GetUtcNow()));
        var payload = JsonDocument.Parse(page.Body).RootElement.GetProperty("alert");
        Assert.Equal(unacknowledged, payload.GetProperty("id").GetInt64());
        Assert.Equal("critical", payload.GetProperty("severity").GetString());

        // Escalation happens once: half an hour later there is still one, and none for the acknowledged alert.
        await AdvanceAsync(TimeSpan.FromMinutes(30));
        Assert.Single(await DeliveriesAsync(), d => d.GetProperty("change").GetString() == "escalated");
        Assert.Equal(JsonValueKind.Null, (await admin.GetFromJsonAsync<JsonElement>($"/api/alerts/{acknowledged}")).GetProperty("escalated_at").ValueKind);
    }
}
