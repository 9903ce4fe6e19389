using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Factory.Core.Alerts.Notifications;

/// <summary>The JSON a webhook receives (and the outbox stores): the change and the alert as it was at that moment.</summary>
public static class AlertPayload
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Json(AlertRecord alert, AlertChange change, string note) => new JsonObject
    {
        ["change"] = AlertNames.Of(change),
        ["note"] = note,
        ["alert"] = new JsonObject
        {
            ["id"] = alert.Id,
            ["rule_id"] = alert.RuleId,
            ["rule_name"] = alert.RuleName,
            ["kind"] = AlertNames.Of(alert.Kind),
            ["scope"] = AlertNames.Of(alert.Scope),
            ["entity_id"] = alert.EntityId,
            ["severity"] = AlertNames.Of(alert.Severity),
            ["state"] = AlertNames.Of(alert.State),
            ["message"] = alert.Message,
            ["value"] = alert.Value,
            ["threshold"] = alert.Threshold,
            ["started_at"] = Time(alert.StartedAt),
            ["opened_at"] = Time(alert.OpenedAt),
            ["acknowledged_at"] = Time(alert.AcknowledgedAt),
            ["acknowledged_by"] = alert.AcknowledgedBy,
            ["escalated_at"] = Time(alert.EscalatedAt),
            ["resolved_at"] = Time(alert.ResolvedAt),
        },
    }.ToJsonString();

    /// <summary>A Slack incoming-webhook body (<c>{"text": …}</c>) for a stored payload.</summary>
    public static string Slack(string payload)
    {
        var (headline, body) = Text(payload);
        return new JsonObject { ["text"] = $"*{headline}*\n{body}" }.ToJsonString();
    }

    /// <summary>Subject and plain text of a stored payload (email, Slack).</summary>
    public static (string Subject, string Body) Text(string payload)
    {
        var root = JsonNode.Parse(payload)!;
        var alert = root["alert"]!;
        var change = (string?)root["change"] ?? "changed";
        var severity = ((string?)alert["severity"] ?? "").ToUpperInvariant();
        var entity = (string?)alert["entity_id"] is { Length: > 0 } id ? $" · {alert["scope"]} {id}" : "";
        var subject = $"[{severity}] {alert["rule_name"]}{entity}: {change}";
        var body = $"{alert["message"]}\n{root["note"]}\nAlert #{alert["id"]}, opened {alert["opened_at"]} (UTC), state {alert["state"]}.";
        return (subject, body);
    }

    private static string? Time(DateTime? utc) => utc?.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
