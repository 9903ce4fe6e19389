using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Core.Alerts;
using Factory.Core.Alerts.Notifications;
using Factory.Tests.Edge;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Alerts;

/// <summary>
/// Notifications through the outbox to real receivers: an HTTP receiver on a loopback port (generic and Slack webhooks,
/// HMAC-verified) and Debian's aiosmtpd (email through MailKit). The server's clock is faked.
/// </summary>
public sealed class NotificationDeliveryTests
{
    private const string HookSecret = "hook-secret-0123456789";
    private const string SlackSecret = "slack-secret-0123456789";

    private static Dictionary<string, string?> Settings(WebhookReceiver receiver, int? smtpPort = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Alerts:Targets:hook:Type"] = "Webhook",
            ["Alerts:Targets:hook:Url"] = receiver.Url("hook"),
            ["Alerts:Targets:hook:Secret"] = HookSecret,
            ["Alerts:Targets:slack:Type"] = "Slack",
            ["Alerts:Targets:slack:Url"] = receiver.Url("slack"),
            ["Alerts:Targets:slack:Secret"] = SlackSecret,
        };
        if (smtpPort is { } port)
        {
            settings["Alerts:Targets:mail:Type"] = "Email";
            settings["Alerts:Targets:mail:To:0"] = "supervisor@factory.test";
            settings["Alerts:Smtp:Host"] = "127.0.0.1";
            settings["Alerts:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Alerts:Smtp:Security"] = "None";
            settings["Alerts:Smtp:From"] = "alerts@factory.test";
        }

        return settings;
    }

    /// <summary>Points the default silent-camera rule at the targets, lets CAM-01 report for ten minutes, then stay silent past the delay.</summary>
    private static async Task OpenSilentCameraAlertAsync(FactoryApp app, HttpClient admin, params string[] targets)
    {
        var rule = await admin.PutAsJsonAsync("/api/admin/alert-rules/1", new
        {
            name = "Camera silent during shift",
            kind = "camera_silent",
            scope = "camera",
            severity = "warning",
            shift_time_only = true,
            targets,
        });
        Assert.Equal(HttpStatusCode.OK, rule.StatusCode);
        var last = app.Time.GetUtcNow().AddSeconds(-1);
        var posted = await admin.PostBatchAsync(Enumerable.Range(0, 10).Select(m => FactoryHttp.Event(last.AddMinutes(-m), camera: "CAM-01")));
        posted.EnsureSuccessStatusCode();
        var engine = app.GetService<AlertEngine>();
        app.Time.Advance(TimeSpan.FromMinutes(10.5));
        var target = app.Time.GetUtcNow().UtcDateTime;
        await Eventually.TrueAsync(() => engine.LastPassAt >= target, "an alert pass ran", TimeSpan.FromSeconds(20));
    }

    private static async Task<List<JsonElement>> DeliveriesAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<JsonElement>("/api/admin/alert-deliveries")).EnumerateArray().ToList();

    [Fact]
    public async Task Webhook_slack_and_email_notifications_arrive_signed_and_a_tampered_body_fails_verification()
    {
        Requires.That(SmtpSink.Available, "Debian's python3-aiosmtpd (SMTP server)");
        await using var receiver = new WebhookReceiver();
        receiver.Start();
        await using var smtp = await SmtpSink.StartAsync();
        await using var app = new FactoryApp(Settings(receiver, smtp.Port));
        using var admin = app.CreateClient();

        await OpenSilentCameraAlertAsync(app, admin, "hook", "slack", "mail");

        await Eventually.TrueAsync(() => receiver.Snapshot().Count >= 2 && smtp.Output.Contains("END MESSAGE", StringComparison.Ordinal),
            "the webhook, Slack and email deliveries arrived", TimeSpan.FromSeconds(30));
        var now = app.Time.GetUtcNow();
        var requests = receiver.Snapshot();

        var hook = Assert.Single(requests, r => r.Path == "/hook");
        Assert.StartsWith("application/json", hook.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("opened", hook.Headers[WebhookSignature.EventHeader]);
        var ts = hook.Headers[WebhookSignature.TimestampHeader];
        var signature = hook.Headers[WebhookSignature.SignatureHeader];
        Assert.StartsWith("sha256=", signature, StringComparison.Ordinal);
        Assert.True(WebhookSignature.Verify(HookSecret, ts, signature, hook.Body, now));
        Assert.False(WebhookSignature.Verify(HookSecret, ts, signature, hook.Body.Replace("CAM-01", "CAM-07", StringComparison.Ordinal), now), "a tampered body must fail");
        Assert.False(WebhookSignature.Verify("another-secret", ts, signature, hook.Body, now), "another secret must fail");
        Assert.False(WebhookSignature.Verify(HookSecret, ts, signature, hook.Body, now.AddMinutes(10)), "a replay ten minutes later must fail");
        var payload = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal("opened", payload.GetProperty("change").GetString());
        Assert.Equal("CAM-01", payload.GetProperty("alert").GetProperty("entity_id").GetString());
        Assert.Equal("camera_silent", payload.GetProperty("alert").GetProperty("kind").GetString());

        var slack = Assert.Single(requests, r => r.Path == "/slack");
        Assert.True(WebhookSignature.Verify(SlackSecret, slack.Headers[WebhookSignature.TimestampHeader], slack.Headers[WebhookSignature.SignatureHeader], slack.Body, now));
        var text = JsonDocument.Parse(slack.Body).RootElement.GetProperty("text").GetString();
        Assert.Contains("[WARNING] Camera silent during shift", text, StringComparison.Ordinal);
        Assert.Contains("CAM-01", text, StringComparison.Ordinal);

        Assert.Contains("Subject: [WARNING] Camera silent during shift", smtp.Output, StringComparison.Ordinal);
        Assert.Contains("supervisor@factory.test", smtp.Output, StringComparison.Ordinal);
        Assert.Contains("Camera CAM-01 has sent nothing", smtp.Output, StringComparison.Ordinal);

        await Eventually.TrueAsync(() => DeliveriesAsync(admin).GetAwaiter().GetResult().Count(d => d.GetProperty("status").GetString() == "delivered") == 3,
            "the delivery log shows three delivered", TimeSpan.FromSeconds(10));
        var log = await DeliveriesAsync(admin);
        Assert.All(log, d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
        Assert.Equal(["hook", "mail", "slack"], log.Select(d => d.GetProperty("target").GetString()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(HookSecret, await admin.GetStringAsync("/api/admin/alert-targets"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_that_failed_while_the_receiver_was_down_survives_a_restart_and_is_retried_with_backoff()
    {
        await using var receiver = new WebhookReceiver(); // its port is chosen but nothing listens yet
        var folder = Path.Combine(Path.GetTempPath(), "factory-tests", "outbox-" + Guid.NewGuid().ToString("N"));
        try
        {
            DateTimeOffset stoppedAt;
            await using (var first = new FactoryApp(Settings(receiver), dataFolder: folder))
            {
                using var admin = first.CreateClient();
                await OpenSilentCameraAlertAsync(first, admin, "hook");
                await Eventually.TrueAsync(() => DeliveriesAsync(admin).GetAwaiter().GetResult() is [{ } d] && d.GetProperty("attempts").GetInt32() == 1,
                    "the first attempt failed", TimeSpan.FromSeconds(20));
                var failed = Assert.Single(await DeliveriesAsync(admin));
                Assert.Equal("pending", failed.GetProperty("status").GetString());
                Assert.False(string.IsNullOrEmpty(failed.GetProperty("last_error").GetString()));
                Assert.Equal(first.Time.GetUtcNow().UtcDateTime.AddSeconds(5), failed.GetProperty("next_attempt_at").GetDateTime().ToUniversalTime());
                stoppedAt = first.Time.GetUtcNow();
            }

            receiver.Start();
            await using var second = new FactoryApp(Settings(receiver), dataFolder: folder);
            second.Time.SetUtcNow(stoppedAt);
            using var client = second.CreateClient();
            Assert.Equal(1, (await DeliveriesAsync(client))[0].GetProperty("attempts").GetInt32());

            // Not before the backoff has passed; then the retry delivers it.
            for (var i = 0; i < 200 && receiver.Snapshot().Count == 0; i++)
            {
                second.Time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            var request = Assert.Single(receiver.Snapshot());
            Assert.True(long.Parse(request.Headers[WebhookSignature.TimestampHeader], System.Globalization.CultureInfo.InvariantCulture) >= stoppedAt.AddSeconds(5).ToUnixTimeSeconds());
            Assert.True(WebhookSignature.Verify(HookSecret, request.Headers[WebhookSignature.TimestampHeader], request.Headers[WebhookSignature.SignatureHeader], request.Body, second.Time.GetUtcNow()));
            await Eventually.TrueAsync(() => DeliveriesAsync(client).GetAwaiter().GetResult()[0].GetProperty("status").GetString() == "delivered", "the log shows it delivered");
            var delivered = Assert.Single(await DeliveriesAsync(client));
            Assert.Equal(2, delivered.GetProperty("attempts").GetInt32());
            Assert.Equal(JsonValueKind.Null, delivered.GetProperty("last_error").ValueKind);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(4, 40)]
    [InlineData(12, 900)]
    public void Backoff_doubles_from_the_first_retry_up_to_the_maximum(int attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DeliveryBackoff.After(attempts, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(15)));
}
