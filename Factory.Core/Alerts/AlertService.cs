using System.Runtime.CompilerServices;
using Factory.Core.Alerts.Notifications;
using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Core.Alerts;

/// <summary>Filters of the alert history; the range selects alerts by the time they opened, <c>[From, To)</c>.</summary>
public sealed record AlertQuery(
    int? RuleId = null,
    AlertScope? Scope = null,
    string? EntityId = null,
    AlertSeverity? Severity = null,
    AlertState? State = null,
    DateTime? From = null,
    DateTime? To = null,
    int Limit = 100,
    long? Before = null);

/// <summary>One page of the history, newest first; pass <see cref="NextCursor"/> as <c>Before</c> for the next.</summary>
public sealed record AlertPage(IReadOnlyList<AlertRecord> Items, long? NextCursor);

/// <summary>How an acknowledgement ended.</summary>
public enum AcknowledgeOutcome
{
    Acknowledged,
    NotFound,
    AlreadyAcknowledged,
    Resolved,
}

/// <summary>
/// The one owner of stored alerts and of the notification outbox's writes: stores what the evaluator decided (an
/// alert's row and its deliveries in one transaction, so a notification is never lost and never sent for a change
/// that was not stored), acknowledges, reads the history, and tells subscribers when the open alerts change.
/// </summary>
public sealed class AlertService(
    IServiceScopeFactory scopes,
    AlertEvaluator evaluator,
    TimeProvider time,
    IOptions<AlertOptions> options)
{
    public const int MaxPage = 1000;
    public const int MaxExportRows = 100_000;
    public const int MaxCommentLength = 500;

    private volatile IReadOnlyList<AlertRecord>? _open;

    /// <summary>Raised after open alerts changed (opened, acknowledged, escalated, resolved). Handlers must not block.</summary>
    public event Action? Changed;

    /// <summary>Raised after deliveries were added to the outbox.</summary>
    public event Action? DeliveriesQueued;

    public AlertOptions Options => options.Value;

    /// <summary>Open and acknowledged alerts, most severe and newest first (cached; at most rules × entities rows).</summary>
    public async Task<IReadOnlyList<AlertRecord>> OpenAsync(CancellationToken ct = default)
    {
        if (_open is { } open)
        {
            return open;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var rows = await db.Alerts.AsNoTracking()
            .Where(a => a.State == AlertState.Open || a.State == AlertState.Acknowledged)
            .ToListAsync(ct);
        var sorted = rows.OrderByDescending(a => a.Severity).ThenByDescending(a => a.OpenedAt).ThenByDescending(a => a.Id).ToList();
        _open = sorted;
        return sorted;
    }

    public async Task<AlertRecord?> GetAsync(long id, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        return await db.Alerts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
    }

    /// <summary>One page of the history, newest first (by id, the order alerts opened in).</summary>
    public async Task<AlertPage> QueryAsync(AlertQuery query, CancellationToken ct = default)
    {
        var limit = Math.Clamp(query.Limit, 1, MaxPage);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var rows = await Filter(db, query).OrderByDescending(a => a.Id).Take(limit + 1).ToListAsync(ct);
        var next = rows.Count > limit ? rows[limit - 1].Id : (long?)null;
        return new AlertPage(rows.Take(limit).ToList(), next);
    }

    /// <summary>Every alert of the filters, newest first, at most <see cref="MaxExportRows"/>, streamed.</summary>
    public async IAsyncEnumerable<AlertRecord> StreamAsync(AlertQuery query, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        await foreach (var row in Filter(db, query).OrderByDescending(a => a.Id).Take(MaxExportRows).AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return row;
        }
    }

    private static IQueryable<AlertRecord> Filter(FactoryDbContext db, AlertQuery q)
    {
        var rows = db.Alerts.AsNoTracking();
        if (q.RuleId is { } rule)
        {
            rows = rows.Where(a => a.RuleId == rule);
        }

        if (q.Scope is { } scope)
        {
            rows = rows.Where(a => a.Scope == scope);
        }

        if (q.EntityId is { } entity)
        {
            rows = rows.Where(a => a.EntityId == entity);
        }

        if (q.Severity is { } severity)
        {
            rows = rows.Where(a => a.Severity == severity);
        }

        if (q.State is { } state)
        {
            rows = rows.Where(a => a.State == state);
        }

        if (q.From is { } from)
        {
            rows = rows.Where(a => a.OpenedAt >= from);
        }

        if (q.To is { } to)
        {
            rows = rows.Where(a => a.OpenedAt < to);
        }

        if (q.Before is { } before)
        {
            rows = rows.Where(a => a.Id < before);
        }

        return rows;
    }

    /// <summary>Marks an open alert acknowledged by <paramref name="who"/> (a key name and role), which stops its escalation.</summary>
    public async Task<(AcknowledgeOutcome Outcome, AlertRecord? Alert)> AcknowledgeAsync(long id, string who, string? comment, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var alert = await db.Alerts.FirstOrDefaultAsync(a => a.Id == id, ct);
        if (alert is null)
        {
            return (AcknowledgeOutcome.NotFound, null);
        }

        if (alert.State != AlertState.Open)
        {
            return (alert.State == AlertState.Resolved ? AcknowledgeOutcome.Resolved : AcknowledgeOutcome.AlreadyAcknowledged, alert);
        }

        alert.State = AlertState.Acknowledged;
        alert.AcknowledgedAt = time.GetUtcNow().UtcDateTime;
        alert.AcknowledgedBy = who.Length > 200 ? who[..200] : who;
        alert.AcknowledgeComment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        await db.SaveChangesAsync(ct);
        evaluator.MarkAcknowledged(id);
        _open = null;
        Changed?.Invoke();
        return (AcknowledgeOutcome.Acknowledged, alert);
    }

    /// <summary>Unresolved alerts, for the evaluator at start-up.</summary>
    public async Task<IReadOnlyList<AlertRecord>> LoadUnresolvedAsync(CancellationToken ct = default) => await OpenAsync(ct);

    /// <summary>
    /// Stores the transitions of one pass — alert rows and their deliveries in one transaction — and returns the alert id
    /// of each transition in order.
    /// </summary>
    public async Task<long[]> ApplyAsync(IReadOnlyList<AlertTransition> transitions, CancellationToken ct = default)
    {
        var ids = new long[transitions.Count];
        var deliveries = 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var touched = new List<(AlertRecord Alert, AlertTransition Transition)>();
        foreach (var t in transitions)
        {
            AlertRecord? alert;
            if (t.Change == AlertChange.Opened)
            {
                alert = new AlertRecord
                {
                    RuleId = t.Rule.Id,
                    RuleName = t.Rule.Name,
                    Kind = t.Rule.Kind,
                    Scope = t.Scope,
                    EntityId = t.EntityId,
                    Severity = t.Severity,
                    State = AlertState.Open,
                    Message = Clip(t.Message, 1000),
                    Value = t.Value,
                    Threshold = t.Threshold,
                    StartedAt = t.StartedAt,
                    OpenedAt = t.At,
                };
                db.Alerts.Add(alert);
            }
            else
            {
                alert = await db.Alerts.FirstOrDefaultAsync(a => a.Id == t.AlertId, ct);
                if (alert is null)
                {
                    continue;
                }

                if (t.Change == AlertChange.Resolved)
                {
                    alert.State = AlertState.Resolved;
                    alert.ResolvedAt = t.At;
                }
                else
                {
                    alert.Severity = t.Severity;
                    alert.EscalatedAt = t.At;
                }
            }

            touched.Add((alert, t));
        }

        await db.SaveChangesAsync(ct);
        foreach (var (alert, t) in touched)
        {
            ids[transitions.IndexOf(t)] = alert.Id;
            foreach (var target in TargetsFor(t))
            {
                db.AlertDeliveries.Add(new AlertDelivery
                {
                    AlertId = alert.Id,
                    Change = t.Change,
                    Target = target,
                    Payload = AlertPayload.Json(alert, t.Change, t.Message),
                    Status = DeliveryStatus.Pending,
                    NextAttemptAt = now,
                    CreatedAt = now,
                });
                deliveries++;
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        _open = null;
        Changed?.Invoke();
        if (deliveries > 0)
        {
            DeliveriesQueued?.Invoke();
        }

        return ids;
    }

    /// <summary>The rule's targets (escalation targets for an escalation) plus the targets of the alert's severity.</summary>
    private IEnumerable<string> TargetsFor(AlertTransition t)
    {
        var names = new List<string>(t.Change == AlertChange.Escalated ? t.Rule.EscalationTargets : t.Rule.Targets);
        if (options.Value.SeverityTargets.TryGetValue(AlertNames.Of(t.Severity), out var bySeverity))
        {
            names.AddRange(bySeverity);
        }

        return names.Where(options.Value.Targets.ContainsKey).Distinct(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The newest deliveries of the outbox (the admin page's log), at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<AlertDelivery>> DeliveriesAsync(int limit = 100, DeliveryStatus? status = null, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var rows = db.AlertDeliveries.AsNoTracking();
        if (status is { } s)
        {
            rows = rows.Where(d => d.Status == s);
        }

        return await rows.OrderByDescending(d => d.Id).Take(Math.Clamp(limit, 1, MaxPage)).ToListAsync(ct);
    }

    private static string Clip(string text, int max) => text.Length > max ? text[..max] : text;
}

internal static class ListExtensions
{
    public static int IndexOf<T>(this IReadOnlyList<T> list, T item)
        where T : class
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i], item))
            {
                return i;
            }
        }

        return -1;
    }
}
