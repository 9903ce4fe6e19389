using System.Security.Claims;
using Factory.Core.Alerts;
using Microsoft.Extensions.Options;

namespace Factory.Web.Alerts;

/// <summary>Alerts as the dashboard reads and acts on them (a seam so components can be tested without a database).</summary>
public interface IAlertBoard
{
    Task<IReadOnlyList<AlertRecord>> OpenAsync(CancellationToken ct = default);

    Task<AlertPage> QueryAsync(AlertQuery query, CancellationToken ct = default);

    Task<(AcknowledgeOutcome Outcome, AlertRecord? Alert)> AcknowledgeAsync(long id, ClaimsPrincipal user, string? comment, CancellationToken ct = default);

    bool CanAcknowledge(ClaimsPrincipal user);

    Task<IReadOnlyList<AlertRule>> RulesAsync(CancellationToken ct = default);

    Task<AlertRuleChange> SaveRuleAsync(int? id, AlertRuleFields fields, CancellationToken ct = default);

    Task<bool> DeleteRuleAsync(int id, CancellationToken ct = default);

    Task<IReadOnlyList<AlertDelivery>> DeliveriesAsync(int limit, CancellationToken ct = default);

    /// <summary>Configured notification targets by name and type (never their secrets).</summary>
    IReadOnlyList<(string Name, NotificationType Type)> Targets { get; }

    /// <summary>The threshold a rule uses (its own or the kind's default).</summary>
    double ThresholdOf(AlertRule rule);

    /// <summary>Calls <paramref name="changed"/> when open alerts change; dispose to stop.</summary>
    IDisposable Subscribe(Action changed);
}

internal sealed class AlertBoard(AlertService alerts, AlertRuleEditor rules, IOptions<AlertOptions> options, IConfiguration configuration) : IAlertBoard
{
    private readonly string[] _roles = AlertAcknowledgers.Roles(configuration);

    public Task<IReadOnlyList<AlertRecord>> OpenAsync(CancellationToken ct = default) => alerts.OpenAsync(ct);

    public Task<AlertPage> QueryAsync(AlertQuery query, CancellationToken ct = default) => alerts.QueryAsync(query, ct);

    public async Task<(AcknowledgeOutcome Outcome, AlertRecord? Alert)> AcknowledgeAsync(long id, ClaimsPrincipal user, string? comment, CancellationToken ct = default)
    {
        if (!CanAcknowledge(user))
        {
            throw new UnauthorizedAccessException("This user's role may not acknowledge alerts.");
        }

        return await alerts.AcknowledgeAsync(id, AlertAcknowledgers.Who(user), comment, ct);
    }

    public bool CanAcknowledge(ClaimsPrincipal user) => AlertAcknowledgers.CanAcknowledge(user, _roles);

    public Task<IReadOnlyList<AlertRule>> RulesAsync(CancellationToken ct = default) => rules.ListAsync(ct);

    public Task<AlertRuleChange> SaveRuleAsync(int? id, AlertRuleFields fields, CancellationToken ct = default) =>
        id is { } existing ? rules.UpdateAsync(existing, fields, ct) : rules.CreateAsync(fields, ct);

    public Task<bool> DeleteRuleAsync(int id, CancellationToken ct = default) => rules.DeleteAsync(id, ct);

    public Task<IReadOnlyList<AlertDelivery>> DeliveriesAsync(int limit, CancellationToken ct = default) => alerts.DeliveriesAsync(limit, null, ct);

    public IReadOnlyList<(string Name, NotificationType Type)> Targets =>
        options.Value.Targets.OrderBy(t => t.Key, StringComparer.OrdinalIgnoreCase).Select(t => (t.Key, t.Value.Type)).ToList();

    public double ThresholdOf(AlertRule rule) => rules.ThresholdOf(rule);

    public IDisposable Subscribe(Action changed)
    {
        alerts.Changed += changed;
        return new Subscription(() => alerts.Changed -= changed);
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                dispose();
            }
        }
    }
}
