using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using CsvHelper;
using Factory.Core.Alerts;
using Factory.Core.Events;
using Factory.Web.Alerts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Factory.Web.Endpoints;

/// <summary>Alert history and open alerts (viewer), acknowledgement (roles of <c>Alerts:AcknowledgeRoles</c>), rules and the delivery log (admin).</summary>
public static class AlertEndpoints
{
    private static readonly TimeSpan DefaultRange = TimeSpan.FromDays(7);

    private static readonly CsvWriterOptions Csv = new()
    {
        FormatProvider = CultureInfo.InvariantCulture,
        // Rule names, messages and comments are typed by people: keep spreadsheets from running '=…' as a formula.
        Injection = CsvInjection.Escape,
    };

    public static void MapAlertReads(this RouteGroupBuilder viewer)
    {
        viewer.MapGet("/alerts", List).WithName("ListAlerts").WithTags("Alerts")
            .WithSummary("Alert history, newest first: filters rule_id, scope, entity_id, severity, state, start_time/end_time (opened in [start, end), default the last 7 days); limit 1–1000, cursor");
        viewer.MapGet("/alerts/open", Open).WithName("OpenAlerts").WithTags("Alerts").WithSummary("Open and acknowledged alerts, most severe first");
        viewer.MapGet("/alerts/{id:long}", Get).WithName("GetAlert").WithTags("Alerts").WithSummary("One alert");
        viewer.MapGet("/alerts/export.csv", Export).WithName("ExportAlertsCsv").WithTags("Alerts")
            .WithSummary("The alert history as CSV with the filters of GET /api/alerts (at most 100,000 rows)")
            .Produces(StatusCodes.Status200OK, typeof(string), "text/csv");
    }

    public static void MapAlertAcknowledge(this RouteGroupBuilder acknowledgers)
    {
        acknowledgers.MapPost("/alerts/{id:long}/acknowledge", Acknowledge).WithName("AcknowledgeAlert").WithTags("Alerts")
            .WithSummary("Acknowledge an open alert (stops its escalation); body {\"comment\": \"…\"} optional");
    }

    public static void MapAlertAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/admin/alert-rules", Rules).WithName("ListAlertRules").WithSummary("Alert rules");
        admin.MapGet("/admin/alert-rules/{id:int}", Rule).WithName("GetAlertRule").WithSummary("One alert rule");
        admin.MapPost("/admin/alert-rules", CreateRule).WithName("CreateAlertRule").WithSummary("Define an alert rule");
        admin.MapPut("/admin/alert-rules/{id:int}", UpdateRule).WithName("UpdateAlertRule").WithSummary("Replace an alert rule");
        admin.MapDelete("/admin/alert-rules/{id:int}", DeleteRule).WithName("DeleteAlertRule").WithSummary("Delete an alert rule (its open alerts resolve)");
        admin.MapGet("/admin/alert-deliveries", Deliveries).WithName("ListAlertDeliveries").WithSummary("The notification outbox, newest first: status, attempts, last error, next attempt");
        admin.MapGet("/admin/alert-targets", Targets).WithName("ListAlertTargets").WithSummary("Configured notification targets (names and types; never secrets)");
    }

    internal static async Task<Results<Ok<AlertListDto>, ValidationProblem>> List(
        AlertService alerts, TimeProvider time, string? rule_id, string? scope, string? entity_id, string? severity, string? state,
        string? start_time, string? end_time, string? limit, string? cursor, CancellationToken ct)
    {
        var query = new QueryParameters();
        var q = Parse(query, alerts.Options, time, rule_id, scope, entity_id, severity, state, start_time, end_time);
        var size = query.Int(nameof(limit), limit, 100, 1, AlertService.MaxPage);
        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0)
            {
                before = c;
            }
            else
            {
                query.Add(nameof(cursor), "Must be the next_cursor of a previous page.");
            }
        }

        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        var page = await alerts.QueryAsync(q! with { Limit = size, Before = before }, ct);
        return TypedResults.Ok(new AlertListDto(page.Items.Select(AlertDto.From).ToList(), page.NextCursor?.ToString(CultureInfo.InvariantCulture)));
    }

    internal static async Task<Ok<List<AlertDto>>> Open(AlertService alerts, CancellationToken ct) =>
        TypedResults.Ok((await alerts.OpenAsync(ct)).Select(AlertDto.From).ToList());

    internal static async Task<Results<Ok<AlertDto>, NotFound<ProblemDetails>>> Get(long id, AlertService alerts, CancellationToken ct) =>
        await alerts.GetAsync(id, ct) is { } alert ? TypedResults.Ok(AlertDto.From(alert)) : NotFoundAlert(id);

    internal static Results<PushStreamHttpResult, ValidationProblem> Export(
        AlertService alerts, TimeProvider time, string? rule_id, string? scope, string? entity_id, string? severity, string? state,
        string? start_time, string? end_time)
    {
        var query = new QueryParameters();
        var q = Parse(query, alerts.Options, time, rule_id, scope, entity_id, severity, state, start_time, end_time);
        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        var name = $"alerts_{q!.From:yyyy-MM-ddTHH-mm}Z_{q.To:yyyy-MM-ddTHH-mm}Z.csv";
        return TypedResults.Stream(async body =>
        {
            using var chunk = new MemoryStream();
            await using var csv = CsvWriter.Create(chunk, Csv, leaveOpen: true);
            csv.WriteRecord(["id", "opened_at", "resolved_at", "state", "severity", "rule_id", "rule_name", "kind", "scope", "entity_id",
                "value", "threshold", "message", "started_at", "acknowledged_at", "acknowledged_by", "acknowledge_comment", "escalated_at"]);
            var rows = 0;
            await foreach (var a in alerts.StreamAsync(q))
            {
                csv.WriteField(a.Id, "");
                csv.WriteField(WireTime.Format(a.OpenedAt));
                csv.WriteField(a.ResolvedAt is { } r ? WireTime.Format(r) : "");
                csv.WriteField(AlertNames.Of(a.State));
                csv.WriteField(AlertNames.Of(a.Severity));
                csv.WriteField(a.RuleId, "");
                csv.WriteField(a.RuleName);
                csv.WriteField(AlertNames.Of(a.Kind));
                csv.WriteField(AlertNames.Of(a.Scope));
                csv.WriteField(a.EntityId);
                csv.WriteField(a.Value, "");
                csv.WriteField(a.Threshold, "");
                csv.WriteField(a.Message);
                csv.WriteField(WireTime.Format(a.StartedAt));
                csv.WriteField(a.AcknowledgedAt is { } ack ? WireTime.Format(ack) : "");
                csv.WriteField(a.AcknowledgedBy ?? "");
                csv.WriteField(a.AcknowledgeComment ?? "");
                csv.WriteField(a.EscalatedAt is { } esc ? WireTime.Format(esc) : "");
                csv.EndRecord();
                if (++rows % 1000 == 0)
                {
                    await FlushAsync(csv, chunk, body);
                }
            }

            await FlushAsync(csv, chunk, body);
        }, "text/csv; charset=utf-8", name);
    }

    internal static async Task<Results<Ok<AlertDto>, ValidationProblem, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> Acknowledge(
        long id, HttpRequest request, ClaimsPrincipal user, AlertService alerts, CancellationToken ct)
    {
        string? comment = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            var body = await JsonBody.ReadAsync(request, 16 * 1024, ct);
            if (body.Error is not null || body.Document is null)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Send JSON such as {\"comment\": \"on it\"}, or no body."] });
            }

            using var document = body.Document;
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Must be a JSON object."] });
            }

            if (root.TryGetProperty("comment", out var c) && c.ValueKind != JsonValueKind.Null)
            {
                if (c.ValueKind != JsonValueKind.String || c.GetString()!.Length > AlertService.MaxCommentLength)
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["comment"] = [$"Must be text of at most {AlertService.MaxCommentLength} characters."] });
                }

                comment = c.GetString();
            }
        }

        var (outcome, alert) = await alerts.AcknowledgeAsync(id, AlertAcknowledgers.Who(user), comment, ct);
        return outcome switch
        {
            AcknowledgeOutcome.Acknowledged => TypedResults.Ok(AlertDto.From(alert!)),
            AcknowledgeOutcome.NotFound => NotFoundAlert(id),
            AcknowledgeOutcome.Resolved => TypedResults.Conflict(new ProblemDetails { Status = 409, Title = "Conflict", Detail = $"Alert {id} is already resolved." }),
            _ => TypedResults.Conflict(new ProblemDetails { Status = 409, Title = "Conflict", Detail = $"Alert {id} was already acknowledged by {alert!.AcknowledgedBy}." }),
        };
    }

    internal static async Task<Ok<List<AlertRuleDto>>> Rules(AlertRuleEditor rules, CancellationToken ct) =>
        TypedResults.Ok((await rules.ListAsync(ct)).Select(r => AlertRuleDto.From(r, rules)).ToList());

    internal static async Task<Results<Ok<AlertRuleDto>, NotFound<ProblemDetails>>> Rule(int id, AlertRuleEditor rules, CancellationToken ct) =>
        await rules.GetAsync(id, ct) is { } rule ? TypedResults.Ok(AlertRuleDto.From(rule, rules)) : NotFoundRule(id);

    internal static async Task<Results<Created<AlertRuleDto>, ValidationProblem>> CreateRule(HttpRequest request, AlertRuleEditor rules, CancellationToken ct)
    {
        var (fields, errors) = await ReadRuleAsync(request, ct);
        if (fields is null)
        {
            return Invalid(errors);
        }

        var change = await rules.CreateAsync(fields, ct);
        foreach (var (k, v) in change.Errors)
        {
            errors.TryAdd(k, v);
        }

        return errors.Count > 0 || change.Rule is null ? Invalid(errors)
            : TypedResults.Created($"/api/admin/alert-rules/{change.Rule.Id}", AlertRuleDto.From(change.Rule, rules));
    }

    internal static async Task<Results<Ok<AlertRuleDto>, ValidationProblem, NotFound<ProblemDetails>>> UpdateRule(int id, HttpRequest request, AlertRuleEditor rules, CancellationToken ct)
    {
        var (fields, errors) = await ReadRuleAsync(request, ct);
        if (fields is null)
        {
            return Invalid(errors);
        }

        var change = await rules.UpdateAsync(id, fields, ct);
        if (change.NotFound)
        {
            return NotFoundRule(id);
        }

        foreach (var (k, v) in change.Errors)
        {
            errors.TryAdd(k, v);
        }

        return errors.Count > 0 || change.Rule is null ? Invalid(errors) : TypedResults.Ok(AlertRuleDto.From(change.Rule, rules));
    }

    internal static async Task<Results<NoContent, NotFound<ProblemDetails>>> DeleteRule(int id, AlertRuleEditor rules, CancellationToken ct) =>
        await rules.DeleteAsync(id, ct) ? TypedResults.NoContent() : NotFoundRule(id);

    internal static async Task<Results<Ok<List<DeliveryDto>>, ValidationProblem>> Deliveries(AlertService alerts, string? status, string? limit, CancellationToken ct)
    {
        var query = new QueryParameters();
        var size = query.Int(nameof(limit), limit, 100, 1, AlertService.MaxPage);
        DeliveryStatus? filter = null;
        if (status is not null)
        {
            if (AlertNames.TryParse<DeliveryStatus>(status, out var s))
            {
                filter = s;
            }
            else
            {
                query.Add(nameof(status), $"Must be one of: {string.Join(", ", AlertNames.All<DeliveryStatus>())}.");
            }
        }

        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        return TypedResults.Ok((await alerts.DeliveriesAsync(size, filter, ct)).Select(DeliveryDto.From).ToList());
    }

    internal static Ok<List<TargetDto>> Targets(IOptions<AlertOptions> options) =>
        TypedResults.Ok(options.Value.Targets.OrderBy(t => t.Key, StringComparer.OrdinalIgnoreCase)
            .Select(t => new TargetDto(t.Key, t.Value.Type.ToString().ToLowerInvariant())).ToList());

    private static AlertQuery? Parse(QueryParameters query, AlertOptions options, TimeProvider time, string? ruleId, string? scope, string? entityId,
        string? severity, string? state, string? startTime, string? endTime)
    {
        int? rule = null;
        if (ruleId is not null)
        {
            if (int.TryParse(ruleId, NumberStyles.None, CultureInfo.InvariantCulture, out var r))
            {
                rule = r;
            }
            else
            {
                query.Add("rule_id", "Must be a rule id (a positive integer).");
            }
        }

        var s = Enum(query, "scope", scope, out AlertScope parsedScope) ? parsedScope : (AlertScope?)null;
        var v = Enum(query, "severity", severity, out AlertSeverity parsedSeverity) ? parsedSeverity : (AlertSeverity?)null;
        var st = Enum(query, "state", state, out AlertState parsedState) ? parsedState : (AlertState?)null;
        var entity = query.Text("entity_id", entityId);
        var start = query.Instant("start_time", startTime);
        var end = query.Instant("end_time", endTime);
        if (start is not null && end is not null && start >= end)
        {
            query.Add("start_time", "Must be before end_time.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var to = end ?? now;
        var from = start ?? to - DefaultRange;
        if (to - from > TimeSpan.FromDays(options.MaxRangeDays))
        {
            query.Add("start_time", $"The range may cover at most {options.MaxRangeDays} days (Alerts:MaxRangeDays).");
        }

        return query.IsValid ? new AlertQuery(rule, s, entity, v, st, from, to) : null;
    }

    private static bool Enum<T>(QueryParameters query, string name, string? value, out T parsed)
        where T : struct, System.Enum
    {
        parsed = default;
        if (value is null)
        {
            return false;
        }

        if (AlertNames.TryParse(value, out parsed))
        {
            return true;
        }

        query.Add(name, $"Must be one of: {string.Join(", ", AlertNames.All<T>())}.");
        return false;
    }

    private static async Task<(AlertRuleFields? Fields, Dictionary<string, string[]> Errors)> ReadRuleAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request, 64 * 1024, ct);
        if (body.Error is not null || body.Document is null)
        {
            return (null, new Dictionary<string, string[]> { ["body"] = ["Send the rule as a JSON object with Content-Type: application/json."] });
        }

        using var document = body.Document;
        return AlertRuleInput.Parse(document.RootElement);
    }

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "Invalid alert rule: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));

    private static NotFound<ProblemDetails> NotFoundAlert(long id) =>
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"No alert has id {id}." });

    private static NotFound<ProblemDetails> NotFoundRule(int id) =>
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"No alert rule has id {id}." });

    private static async Task FlushAsync(CsvWriter csv, MemoryStream chunk, Stream body)
    {
        csv.Flush();
        chunk.Position = 0;
        await chunk.CopyToAsync(body);
        chunk.SetLength(0);
        await body.FlushAsync();
    }
}

/// <summary>Reads a rule body field by field, so that a value of the wrong type is named like any other problem.</summary>
internal static class AlertRuleInput
{
    public static (AlertRuleFields? Fields, Dictionary<string, string[]> Errors) Parse(JsonElement root)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["Must be a JSON object."];
            return (null, errors);
        }

        string? Text(string name)
        {
            if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (p.ValueKind == JsonValueKind.String)
            {
                return p.GetString();
            }

            errors[name] = ["Must be text."];
            return null;
        }

        double? Number(string name)
        {
            if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (p.ValueKind == JsonValueKind.Number && p.TryGetDouble(out var d))
            {
                return d;
            }

            errors[name] = ["Must be a number."];
            return null;
        }

        int? Integer(string name)
        {
            if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var i))
            {
                return i;
            }

            errors[name] = ["Must be a whole number of minutes."];
            return null;
        }

        bool? Flag(string name)
        {
            if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (p.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return p.GetBoolean();
            }

            errors[name] = ["Must be true or false."];
            return null;
        }

        List<string>? Names(string name)
        {
            if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (p.ValueKind == JsonValueKind.Array && p.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            {
                return p.EnumerateArray().Select(e => e.GetString()!).ToList();
            }

            errors[name] = ["Must be an array of target names."];
            return null;
        }

        var fields = new AlertRuleFields(Text("name"), Text("kind"), Number("threshold"), Integer("for_minutes"), Text("scope"), Text("scope_id"),
            Text("severity"), Flag("shift_time_only"), Flag("enabled"), Names("targets"), Integer("escalate_after_minutes"),
            Names("escalation_targets"), Integer("quiet_minutes"));
        return (fields, errors);
    }
}

/// <summary>An alert in the API's shape.</summary>
public sealed record AlertDto(
    long Id, int RuleId, string RuleName, AlertRuleKind Kind, AlertScope Scope, string EntityId, AlertSeverity Severity, AlertState State,
    string Message, double Value, double Threshold, DateTime StartedAt, DateTime OpenedAt, DateTime? AcknowledgedAt, string? AcknowledgedBy,
    string? AcknowledgeComment, DateTime? EscalatedAt, DateTime? ResolvedAt)
{
    public static AlertDto From(AlertRecord a) => new(a.Id, a.RuleId, a.RuleName, a.Kind, a.Scope, a.EntityId, a.Severity, a.State, a.Message,
        a.Value, a.Threshold, a.StartedAt, a.OpenedAt, a.AcknowledgedAt, a.AcknowledgedBy, a.AcknowledgeComment, a.EscalatedAt, a.ResolvedAt);
}

/// <summary>One page of alerts.</summary>
public sealed record AlertListDto(IReadOnlyList<AlertDto> Items, string? NextCursor);

/// <summary>An alert rule in the API's shape; <c>threshold</c> as stored (null: the kind's default), <c>effective_threshold</c> as used.</summary>
public sealed record AlertRuleDto(
    int Id, string Name, AlertRuleKind Kind, double? Threshold, double EffectiveThreshold, int ForMinutes, AlertScope Scope, string? ScopeId,
    AlertSeverity Severity, bool ShiftTimeOnly, bool Enabled, IReadOnlyList<string> Targets, int? EscalateAfterMinutes,
    IReadOnlyList<string> EscalationTargets, int QuietMinutes, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static AlertRuleDto From(AlertRule r, AlertRuleEditor rules) => new(r.Id, r.Name, r.Kind, r.Threshold, rules.ThresholdOf(r), r.ForMinutes,
        r.Scope, r.ScopeId, r.Severity, r.ShiftTimeOnly, r.Enabled, r.Targets, r.EscalateAfterMinutes, r.EscalationTargets, r.QuietMinutes, r.CreatedAt, r.UpdatedAt);
}

/// <summary>A row of the delivery log (the payload stays in the database).</summary>
public sealed record DeliveryDto(long Id, long AlertId, AlertChange Change, string Target, DeliveryStatus Status, int Attempts,
    DateTime NextAttemptAt, string? LastError, DateTime CreatedAt, DateTime? DeliveredAt)
{
    public static DeliveryDto From(AlertDelivery d) => new(d.Id, d.AlertId, d.Change, d.Target, d.Status, d.Attempts, d.NextAttemptAt, d.LastError, d.CreatedAt, d.DeliveredAt);
}

/// <summary>A configured notification target: its name and type only.</summary>
public sealed record TargetDto(string Name, string Type);
