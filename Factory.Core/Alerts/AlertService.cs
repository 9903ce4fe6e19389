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

/// <summary>What storing one pass's transitions did: the alert id each one took effect on, null where it no longer applied.</summary>
public sealed record AlertApplyResult(bool LeaseHeld, IReadOnlyList<long?> Ids);

/// <summary>
/// The one owner of stored alerts and of the notification outbox's writes: stores what the evaluator decided (an
/// alert's row and its deliveries in one transaction, so a notification is never lost and never sent for a change
/// that was not stored), acknowledges, reads the history, and tells subscribers when the open alerts change.
/// Every change is a conditional write (resolve only what is unresolved, escalate only what is still open and not
/// acknowledged, acknowledge only what is open), so instances racing on the same alert cannot undo each other.
/// </summary>
public sealed class AlertService(
    IServiceScopeFactory scopes,
    AlertEvaluator evaluator,
    EvaluationLease lease,
    TimeProvider time,
    IOptions<AlertOptions> options)
{
    public const int MaxPage = 1000;
    public const int MaxExportRows = 100_000;
    public const int MaxCommentLength = 500;

    private volatile IReadOnlyList<AlertRecord>? _open;
    private long _version;

    /// <summary>
    /// Raised after open alerts changed (opened, acknowledged, escalated, resolved) by this instance, or by another one as
    /// seen by <see cref="RefreshOpenAsync"/>. Handlers must not block.
    /// </summary>
    public event Action? Changed;

    /// <summary>Raised after this instance stored a change of open alerts (the live hub pushes it once, to every instance's clients).</summary>
    public event Action? ChangedHere;

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

        var version = Interlocked.Read(ref _version);
        var sorted = await ReadOpenAsync(ct);
        if (Interlocked.Read(ref _version) == version)
        {
            _open = sorted;
        }

        return sorted;
    }

    /// <summary>
    /// Reads the open alerts again and raises <see cref="Changed"/> when they differ from the cached ones: changes made
    /// by another instance on the same database reach this instance's pages within one refresh (the engine calls this
    /// every <see cref="AlertOptions.EvaluateEvery"/>; one indexed read of at most rules × entities rows).
    /// </summary>
    public async Task<IReadOnlyList<AlertRecord>> RefreshOpenAsync(CancellationToken ct = default)
    {
        var version = Interlocked.Read(ref _version);
        var previous = _open;
        var sorted = await ReadOpenAsync(ct);
        if (Interlocked.Read(ref _version) != version)
        {
            return sorted; // a change here is under way; it raises its own event
        }

        _open = sorted;
        if (previous is not null && !SameAlerts(previous, sorted))
        {
            Changed?.Invoke();
        }

        return sorted;
    }

    private async Task<List<AlertRecord>> ReadOpenAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var rows = await db.Alerts.AsNoTracking()
            .Where(a => a.State == AlertState.Open || a.State == AlertState.Acknowledged)
            .ToListAsync(ct);
        return rows.OrderByDescending(a => a.Severity).ThenByDescending(a => a.OpenedAt).ThenByDescending(a => a.Id).ToList();
    }

    private static bool SameAlerts(IReadOnlyList<AlertRecord> a, IReadOnlyList<AlertRecord> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i].Id != b[i].Id || a[i].State != b[i].State || a[i].Severity != b[i].Severity || a[i].EscalatedAt != b[i].EscalatedAt)
            {
                return false;
            }
        }

        return true;
    }

    private void Invalidate(bool here)
    {
        Interlocked.Increment(ref _version);
        _open = null;
        Changed?.Invoke();
        if (here)
        {
            ChangedHere?.Invoke();
        }
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
        var at = time.GetUtcNow().UtcDateTime;
        var by = who.Length > 200 ? who[..200] : who;
        var note = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();

        // Conditional, so that an escalation or resolution stored at the same moment (maybe by another instance) wins or
        // loses as a whole: an acknowledgement never lands on a resolved alert.
        var changed = await db.Alerts.Where(a => a.Id == id && a.State == AlertState.Open).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.State, AlertState.Acknowledged)
            .SetProperty(a => a.AcknowledgedAt, at)
            .SetProperty(a => a.AcknowledgedBy, by)
            .SetProperty(a => a.AcknowledgeComment, note), ct);
        var alert = await db.Alerts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (alert is null)
        {
            return (AcknowledgeOutcome.NotFound, null);
        }

        if (changed == 0)
        {
            return (alert.State == AlertState.Resolved ? AcknowledgeOutcome.Resolved : AcknowledgeOutcome.AlreadyAcknowledged, alert);
        }

        evaluator.MarkAcknowledged(id);
        Invalidate(here: true);
        return (AcknowledgeOutcome.Acknowledged, alert);
    }

    /// <summary>Unresolved alerts read from the database (not the cache), for the evaluator when it starts or takes over.</summary>
    public async Task<IReadOnlyList<AlertRecord>> LoadUnresolvedAsync(CancellationToken ct = default) => await ReadOpenAsync(ct);

    /// <summary>
    /// Stores the transitions of one pass — alert rows and their deliveries in one transaction, fenced by the evaluation
    /// lease (nothing is stored when this instance lost it) — and returns the alert id each transition took effect on.
    /// A resolution of an alert already resolved, or an escalation of one acknowledged or resolved meanwhile (perhaps
    /// on another instance), does not take effect and queues no notification: its id is null.
    /// </summary>
    public async Task<AlertApplyResult> ApplyAsync(IReadOnlyList<AlertTransition> transitions, CancellationToken ct = default)
    {
        var ids = new long?[transitions.Count];
        var deliveries = 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await lease.FenceAsync(db, ct) is not { } leaseUntil)
        {
            return new AlertApplyResult(false, ids);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var touched = new List<(AlertRecord Alert, int Index)>();
        for (var i = 0; i < transitions.Count; i++)
        {
            var t = transitions[i];
            if (t.Change == AlertChange.Opened)
            {
                var opened = new AlertRecord
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
                db.Alerts.Add(opened);
                touched.Add((opened, i));
                continue;
            }

            var changed = t.Change == AlertChange.Resolved
                ? await db.Alerts.Where(a => a.Id == t.AlertId && a.ResolvedAt == null).ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.State, AlertState.Resolved)
                    .SetProperty(a => a.ResolvedAt, t.At), ct)
                : await db.Alerts.Where(a => a.Id == t.AlertId && a.State == AlertState.Open && a.EscalatedAt == null).ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Severity, t.Severity)
                    .SetProperty(a => a.EscalatedAt, t.At), ct);
            if (changed == 1 && await db.Alerts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == t.AlertId, ct) is { } alert)
            {
                touched.Add((alert, i));
            }
        }

        await db.SaveChangesAsync(ct);
        foreach (var (alert, i) in touched)
        {
            var t = transitions[i];
            ids[i] = alert.Id;
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
        lease.Extended(leaseUntil);
        if (touched.Count > 0)
        {
            Invalidate(here: true);
        }

        if (deliveries > 0)
        {
            DeliveriesQueued?.Invoke();
        }

        return new AlertApplyResult(true, ids);
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
