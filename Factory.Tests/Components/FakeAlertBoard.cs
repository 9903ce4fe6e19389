using System.Security.Claims;
using Factory.Core.Alerts;
using Factory.Web.Alerts;

namespace Factory.Tests.Components;

/// <summary>Alerts in memory for component tests: acknowledgements change the list and tell subscribers, as the real board does.</summary>
public sealed class FakeAlertBoard : IAlertBoard
{
    private event Action? Changed;

    public List<AlertRecord> Items { get; } = [];
    public List<AlertRule> Rules { get; } = [.. DefaultAlertRules.All];
    public List<AlertDelivery> Deliveries { get; } = [];
    public List<AlertQuery> Queries { get; } = [];
    public List<(int? Id, AlertRuleFields Fields)> Saved { get; } = [];
    public string[] AcknowledgeRoles { get; set; } = ["admin"];

    /// <summary>What the next save answers with (validation errors by field); empty: saved.</summary>
    public Dictionary<string, string[]> SaveErrors { get; } = [];

    public IReadOnlyList<(string Name, NotificationType Type)> Targets { get; set; } = [("ops-hook", NotificationType.Webhook)];

    public Task<IReadOnlyList<AlertRecord>> OpenAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<AlertRecord>>(Items.Where(a => a.State != AlertState.Resolved).OrderByDescending(a => a.Severity).ToList());

    public Task<AlertPage> QueryAsync(AlertQuery query, CancellationToken ct = default)
    {
        Queries.Add(query);
        var rows = Items.Where(a => (query.State is null || a.State == query.State) && (query.Severity is null || a.Severity == query.Severity)
            && (query.RuleId is null || a.RuleId == query.RuleId) && (query.Scope is null || a.Scope == query.Scope)).OrderByDescending(a => a.Id).ToList();
        return Task.FromResult(new AlertPage(rows, null));
    }

    public Task<(AcknowledgeOutcome Outcome, AlertRecord? Alert)> AcknowledgeAsync(long id, ClaimsPrincipal user, string? comment, CancellationToken ct = default)
    {
        if (!CanAcknowledge(user))
        {
            throw new UnauthorizedAccessException("This user's role may not acknowledge alerts.");
        }

        var alert = Items.FirstOrDefault(a => a.Id == id);
        if (alert is null)
        {
            return Task.FromResult<(AcknowledgeOutcome, AlertRecord?)>((AcknowledgeOutcome.NotFound, null));
        }

        alert.State = AlertState.Acknowledged;
        alert.AcknowledgedBy = AlertAcknowledgers.Who(user);
        alert.AcknowledgedAt = DashboardTestContext.Now.UtcDateTime;
        alert.AcknowledgeComment = comment;
        Changed?.Invoke();
        return Task.FromResult<(AcknowledgeOutcome, AlertRecord?)>((AcknowledgeOutcome.Acknowledged, alert));
    }

    public bool CanAcknowledge(ClaimsPrincipal user) => AlertAcknowledgers.CanAcknowledge(user, AcknowledgeRoles);

    public Task<IReadOnlyList<AlertRule>> RulesAsync(CancellationToken ct = default) => Task.FromResult<IReadOnlyList<AlertRule>>(Rules.ToList());

    public Task<AlertRuleChange> SaveRuleAsync(int? id, AlertRuleFields fields, CancellationToken ct = default)
    {
        Saved.Add((id, fields));
        if (SaveErrors.Count > 0)
        {
            return Task.FromResult(new AlertRuleChange(null, new Dictionary<string, string[]>(SaveErrors)));
        }

        var rule = new AlertRule { Id = id ?? Rules.Max(r => r.Id) + 1, Name = fields.Name!, Kind = AlertRuleKind.CameraSilent, Scope = AlertScope.Camera };
        Rules.RemoveAll(r => r.Id == rule.Id);
        Rules.Add(rule);
        return Task.FromResult(new AlertRuleChange(rule, new Dictionary<string, string[]>()));
    }

    public Task<bool> DeleteRuleAsync(int id, CancellationToken ct = default) => Task.FromResult(Rules.RemoveAll(r => r.Id == id) > 0);

    public Task<IReadOnlyList<AlertDelivery>> DeliveriesAsync(int limit, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<AlertDelivery>>(Deliveries.Take(limit).ToList());

    public double ThresholdOf(AlertRule rule) => rule.Threshold ?? AlertEvaluator.DefaultThreshold(rule.Kind, TimeSpan.FromMinutes(10));

    public IDisposable Subscribe(Action changed)
    {
        Changed += changed;
        return new Unsubscribe(() => Changed -= changed);
    }

    /// <summary>Opens an alert as the evaluator would, telling subscribers.</summary>
    public AlertRecord Open(long id, string entity, AlertSeverity severity = AlertSeverity.Warning, AlertState state = AlertState.Open)
    {
        var alert = new AlertRecord
        {
            Id = id,
            RuleId = 1,
            RuleName = "Camera silent during shift",
            Kind = AlertRuleKind.CameraSilent,
            Scope = AlertScope.Camera,
            EntityId = entity,
            Severity = severity,
            State = state,
            Message = $"Camera {entity} has sent nothing since 14:40 UTC.",
            Value = 12,
            Threshold = 10,
            StartedAt = DashboardTestContext.Now.UtcDateTime.AddMinutes(-20),
            OpenedAt = DashboardTestContext.Now.UtcDateTime.AddMinutes(-10),
        };
        Items.Add(alert);
        Changed?.Invoke();
        return alert;
    }

    private sealed class Unsubscribe(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
