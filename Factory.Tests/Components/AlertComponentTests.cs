using System.Security.Claims;
using Bunit;
using Factory.Core.Alerts;
using Factory.Web.Components.Pages;
using Factory.Web.Components.Shared;
using Factory.Web.Dashboard;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Components;

/// <summary>The overview's alert panel, the history page, the rule editor and the delivery log.</summary>
public sealed class AlertComponentTests() : DashboardTestContext(authorization: true)
{
    private void SignIn(string name, string role)
    {
        Auth!.SetAuthorized(name);
        Auth.SetRoles(role);
    }

    [Fact]
    public void The_panel_shows_an_alert_opened_later_without_a_reload()
    {
        var cut = Context.Render<AlertsPanel>(p => p.Add(c => c.Alerts, []));
        Assert.Contains("No active alerts.", cut.Markup);

        cut.InvokeAsync(() => Alerts.Open(7, "CAM-04", AlertSeverity.Critical));

        cut.WaitUntil(() => Assert.Equal("7", cut.Find("[data-open-alert]").GetAttribute("data-open-alert")));
        Assert.Contains("alert-critical", cut.Find("[data-open-alert]").ClassList);
        Assert.Contains("Camera silent during shift · CAM-04", cut.Markup);
        Assert.Contains("since 14:50", cut.Markup);
        Assert.DoesNotContain("No active alerts.", cut.Markup);
    }

    [Fact]
    public void An_admin_acknowledges_from_the_panel_and_it_shows_who()
    {
        SignIn("night-admin", "admin");
        Alerts.Open(3, "CAM-02");
        var cut = Context.Render<AlertsPanel>(p => p.Add(c => c.Alerts, []));

        cut.Find("[data-action=ack-alert]").Click();

        cut.WaitUntil(() => Assert.Equal("acknowledged", cut.Find("[data-open-alert]").GetAttribute("data-state")));
        Assert.Contains("acknowledged by night-admin (admin)", cut.Markup);
        Assert.Empty(cut.FindAll("[data-action=ack-alert]"));
        Assert.Equal("night-admin (admin)", Alerts.Items.Single().AcknowledgedBy);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("viewer", false)]
    [InlineData("admin", true)]
    public void Only_roles_allowed_to_acknowledge_see_the_action(string? role, bool sees)
    {
        if (role is not null)
        {
            SignIn("someone", role);
        }

        Alerts.Open(5, "CAM-01");
        var cut = Context.Render<AlertsPanel>(p => p.Add(c => c.Alerts, []));
        Assert.Equal(sees ? 1 : 0, cut.FindAll("[data-action=ack-alert]").Count);
    }

    [Fact]
    public void A_viewer_may_acknowledge_when_the_configuration_allows_viewers()
    {
        Alerts.AcknowledgeRoles = ["viewer"];
        SignIn("line-supervisor", "viewer");
        Alerts.Open(5, "CAM-01");
        var cut = Context.Render<AlertsPanel>(p => p.Add(c => c.Alerts, []));

        cut.Find("[data-action=ack-alert]").Click();
        cut.WaitUntil(() => Assert.Contains("acknowledged by line-supervisor (viewer)", cut.Markup));
    }

    [Fact]
    public void The_history_page_lists_filters_exports_and_acknowledges_with_a_comment()
    {
        SignIn("night-admin", "admin");
        Alerts.Open(1, "CAM-01", state: AlertState.Resolved).ResolvedAt = Now.UtcDateTime.AddMinutes(-1);
        Alerts.Open(2, "CAM-02", AlertSeverity.Critical);
        var nav = Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        nav.NavigateTo("/alerts?state=open");

        var cut = Context.Render<AlertsPage>();

        cut.WaitUntil(() => Assert.Single(cut.FindAll("[data-alert-row]")));
        Assert.Equal(AlertState.Open, Alerts.Queries.Last().State);
        Assert.Equal(Now.UtcDateTime.AddDays(-7), Alerts.Queries.Last().From);
        var csv = cut.Find("[data-action=alerts-csv]").GetAttribute("href")!;
        Assert.StartsWith("/api/alerts/export.csv?start_time=", csv, StringComparison.Ordinal);
        Assert.Contains("state=open", csv, StringComparison.Ordinal);

        cut.Find("input[data-field=ack-comment]").Change("camera replaced");
        cut.Find("[data-action=ack-alert]").Click();

        cut.WaitUntil(() => Assert.Contains("Alert 2 acknowledged.", cut.Find("[data-ack-message]").TextContent));
        Assert.Equal("camera replaced", Alerts.Items.Single(a => a.Id == 2).AcknowledgeComment);
    }

    [Fact]
    public void The_rule_editor_shows_each_field_the_server_refused()
    {
        Alerts.SaveErrors["threshold"] = ["A model_confidence threshold must be from 0.01 to 1."];
        Alerts.SaveErrors["scope"] = ["A model_confidence rule applies to: factory, camera."];
        var cut = Context.Render<AlertRulesEditor>();
        Assert.Equal(DefaultAlertRules.All.Count, cut.FindAll("[data-rule-row]").Count);
        Assert.Contains("silent ≥ 10 min while expected", cut.Markup);

        cut.Find("input[data-field=rule-name]").Change("Too confident");
        cut.Find("[data-action=save-rule]").Click();

        cut.WaitUntil(() => Assert.Contains("threshold", cut.Find("[data-rule-errors]").TextContent));
        Assert.Contains("scope", cut.Find("[data-rule-errors]").TextContent);
        Assert.Equal("Too confident", Alerts.Saved.Single().Fields.Name);
    }

    [Fact]
    public void The_delivery_log_shows_attempts_errors_and_next_attempt_but_no_secret()
    {
        Alerts.Deliveries.Add(new AlertDelivery
        {
            Id = 9,
            AlertId = 2,
            Change = AlertChange.Opened,
            Target = "ops-hook",
            Payload = "{\"secret\":\"never-shown\"}",
            Status = DeliveryStatus.Pending,
            Attempts = 3,
            LastError = "HTTP 503 Service Unavailable",
            NextAttemptAt = Now.UtcDateTime.AddSeconds(20),
            CreatedAt = Now.UtcDateTime.AddMinutes(-1),
        });
        var cut = Context.Render<DeliveryLog>();

        var row = cut.Find("[data-delivery-row='9']");
        Assert.Equal("pending", row.GetAttribute("data-status"));
        Assert.Contains("HTTP 503 Service Unavailable", row.TextContent);
        Assert.Contains("2026-01-21 15:00:20", row.TextContent);
        Assert.Contains("ops-hook (webhook)", cut.Markup);
        Assert.DoesNotContain("never-shown", cut.Markup);
    }
}
