using System.Text.RegularExpressions;
using Factory.Core.Data;
using Factory.Core.ModelHealth;
using Factory.Core.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Core.Alerts;

/// <summary>The fields of a rule as given (API body or admin page); strings for enums so that a bad value can be named.</summary>
public sealed record AlertRuleFields(
    string? Name,
    string? Kind,
    double? Threshold,
    int? ForMinutes,
    string? Scope,
    string? ScopeId,
    string? Severity,
    bool? ShiftTimeOnly,
    bool? Enabled,
    IReadOnlyList<string>? Targets,
    int? EscalateAfterMinutes,
    IReadOnlyList<string>? EscalationTargets,
    int? QuietMinutes);

/// <summary>The result of a rule change: the rule as stored, or the problems by field (snake_case names of the API).</summary>
public sealed record AlertRuleChange(AlertRule? Rule, IReadOnlyDictionary<string, string[]> Errors, bool NotFound = false)
{
    public bool Succeeded => Rule is not null && Errors.Count == 0;
}

/// <summary>
/// The one owner of alert rules: validation, storage, and the cached list the evaluator reads. Used by the admin API
/// and the admin page alike; a change is seen by the evaluator's next pass.
/// </summary>
public sealed partial class AlertRuleEditor(IServiceScopeFactory scopes, RegistryCache registry, IOptions<AlertOptions> options, IOptions<ModelHealthOptions> health, TimeProvider time)
{
    public const int MaxRules = 1000;
    private const int MaxTargets = 10;
    private const int MaxMinutes = 1440;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile IReadOnlyList<AlertRule>? _cached;
    private long _loadedAt;

    /// <summary>How long the cached rules are used before they are read again (edits made on another instance show up within it).</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex IdPattern();

    /// <summary>Raised after any change.</summary>
    public event Action? Changed;

    /// <summary>Which scopes each kind accepts.</summary>
    public static IReadOnlyList<AlertScope> ScopesOf(AlertRuleKind kind) => kind switch
    {
        AlertRuleKind.StationUtilization or AlertRuleKind.StationUnstaffed => [AlertScope.Factory, AlertScope.Workstation],
        AlertRuleKind.WorkerIdleStretch => [AlertScope.Factory, AlertScope.Worker],
        AlertRuleKind.UnitsPerHour => [AlertScope.Factory, AlertScope.Workstation, AlertScope.Worker],
        _ => [AlertScope.Factory, AlertScope.Camera],
    };

    /// <summary>The accepted range of a kind's threshold and its unit.</summary>
    public static (double Min, double Max, string Unit) ThresholdRange(AlertRuleKind kind) => kind switch
    {
        AlertRuleKind.StationUtilization => (0, 100, "%"),
        AlertRuleKind.WorkerIdleStretch => (1, MaxMinutes, "min"),
        AlertRuleKind.StationUnstaffed => (1, 100, "workers"),
        AlertRuleKind.UnitsPerHour => (0.1, 100_000, "u/h"),
        AlertRuleKind.ModelConfidence => (0.01, 1, ""),
        AlertRuleKind.CameraSilent => (1, MaxMinutes, "min"),
        _ => (0, 100, "%"),
    };

    /// <summary>The effective threshold of a rule (its own, or the kind's default).</summary>
    public double ThresholdOf(AlertRule rule) => rule.Threshold ?? AlertEvaluator.DefaultThreshold(rule.Kind, health.Value.CameraSilentAfter);

    /// <summary>Names of the configured notification targets (never their settings).</summary>
    public IReadOnlyList<string> TargetNames => options.Value.Targets.Keys.Order(StringComparer.OrdinalIgnoreCase).ToList();

    public async Task<IReadOnlyList<AlertRule>> ListAsync(CancellationToken ct = default)
    {
        if (_cached is { } cached && Environment.TickCount64 - Interlocked.Read(ref _loadedAt) < (long)CacheFor.TotalMilliseconds)
        {
            return cached;
        }

        await _lock.WaitAsync(ct);
        try
        {
            if (_cached is { } again && Environment.TickCount64 - Interlocked.Read(ref _loadedAt) < (long)CacheFor.TotalMilliseconds)
            {
                return again;
            }

            var loaded = await LoadAsync(ct);
            Interlocked.Exchange(ref _loadedAt, Environment.TickCount64);
            _cached = loaded;
            return loaded;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<AlertRule?> GetAsync(int id, CancellationToken ct = default) => (await ListAsync(ct)).FirstOrDefault(r => r.Id == id);

    public Task<AlertRuleChange> CreateAsync(AlertRuleFields fields, CancellationToken ct = default) => SaveAsync(null, fields, ct);

    public Task<AlertRuleChange> UpdateAsync(int id, AlertRuleFields fields, CancellationToken ct = default) => SaveAsync(id, fields, ct);

    public async Task<bool> DeleteAsync(int id, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            var deleted = await db.AlertRules.Where(r => r.Id == id).ExecuteDeleteAsync(ct);
            _cached = null;
            if (deleted == 0)
            {
                return false;
            }
        }
        finally
        {
            _lock.Release();
        }

        Changed?.Invoke();
        return true;
    }

    /// <summary>Every problem of the fields, by field name; empty when they make a valid rule.</summary>
    public async Task<Dictionary<string, string[]>> ValidateAsync(AlertRuleFields f, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors[field] = [message];

        if (string.IsNullOrWhiteSpace(f.Name) || f.Name.Trim().Length > 100)
        {
            Add("name", "Is required: 1 to 100 characters.");
        }

        AlertRuleKind? kind = null;
        if (!AlertNames.TryParse<AlertRuleKind>(f.Kind, out var k))
        {
            Add("kind", $"Is required, one of: {string.Join(", ", AlertNames.Kinds)}.");
        }
        else
        {
            kind = k;
        }

        AlertScope? scope = null;
        if (!AlertNames.TryParse<AlertScope>(f.Scope, out var s))
        {
            Add("scope", $"Is required, one of: {string.Join(", ", AlertNames.All<AlertScope>())}.");
        }
        else if (kind is { } known && !ScopesOf(known).Contains(s))
        {
            Add("scope", $"A {AlertNames.Of(known)} rule applies to: {string.Join(", ", ScopesOf(known).Select(AlertNames.Of))}.");
        }
        else
        {
            scope = s;
        }

        if (f.ScopeId is { } id)
        {
            var snapshot = await registry.GetAsync(ct);
            if (scope == AlertScope.Factory)
            {
                Add("scope_id", "Must be empty for the factory scope.");
            }
            else if (!IdPattern().IsMatch(id))
            {
                Add("scope_id", "Must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
            }
            else if (scope == AlertScope.Worker && !snapshot.WorkersById.ContainsKey(id))
            {
                Add("scope_id", $"No worker has id '{id}'.");
            }
            else if (scope == AlertScope.Workstation && !snapshot.WorkstationsById.ContainsKey(id))
            {
                Add("scope_id", $"No workstation has id '{id}'.");
            }
        }

        if (f.Threshold is { } threshold && kind is { } kk)
        {
            var (min, max, unit) = ThresholdRange(kk);
            if (double.IsNaN(threshold) || threshold < min || threshold > max)
            {
                Add("threshold", $"A {AlertNames.Of(kk)} threshold must be from {min} to {max}{(unit.Length > 0 ? " " + unit : "")}.");
            }
        }

        if (f.ForMinutes is < 0 or > MaxMinutes)
        {
            Add("for_minutes", $"Must be from 0 to {MaxMinutes} minutes.");
        }

        if (f.Severity is not null && !AlertNames.TryParse<AlertSeverity>(f.Severity, out _))
        {
            Add("severity", $"Must be one of: {string.Join(", ", AlertNames.All<AlertSeverity>())}.");
        }

        CheckTargets("targets", f.Targets, errors);
        CheckTargets("escalation_targets", f.EscalationTargets, errors);
        if (f.EscalateAfterMinutes is < 1 or > MaxMinutes)
        {
            Add("escalate_after_minutes", $"Must be empty (no escalation) or from 1 to {MaxMinutes} minutes.");
        }
        else if (f.EscalateAfterMinutes is null && f.EscalationTargets is { Count: > 0 })
        {
            Add("escalation_targets", "Escalation targets need escalate_after_minutes.");
        }

        if (f.QuietMinutes is < 0 or > MaxMinutes)
        {
            Add("quiet_minutes", $"Must be from 0 to {MaxMinutes} minutes.");
        }

        return errors;
    }

    private void CheckTargets(string field, IReadOnlyList<string>? names, Dictionary<string, string[]> errors)
    {
        if (names is null)
        {
            return;
        }

        if (names.Count > MaxTargets)
        {
            errors[field] = [$"At most {MaxTargets} targets."];
            return;
        }

        var unknown = names.Where(n => string.IsNullOrWhiteSpace(n) || !options.Value.Targets.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            var known = TargetNames;
            errors[field] = [$"Unknown target(s): {string.Join(", ", unknown.Select(u => $"'{u}'"))}. Configured: {(known.Count == 0 ? "none (see Alerts:Targets)" : string.Join(", ", known))}."];
        }
    }

    private async Task<AlertRuleChange> SaveAsync(int? id, AlertRuleFields f, CancellationToken ct)
    {
        var errors = await ValidateAsync(f, ct);
        if (errors.Count > 0)
        {
            return new AlertRuleChange(null, errors);
        }

        AlertRule rule;
        await _lock.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            var now = time.GetUtcNow().UtcDateTime;
            if (id is { } existing)
            {
                var found = await db.AlertRules.FirstOrDefaultAsync(r => r.Id == existing, ct);
                if (found is null)
                {
                    return new AlertRuleChange(null, new Dictionary<string, string[]>(), NotFound: true);
                }

                rule = found;
            }
            else
            {
                if (await db.AlertRules.CountAsync(ct) >= MaxRules)
                {
                    return new AlertRuleChange(null, new Dictionary<string, string[]> { ["name"] = [$"At most {MaxRules} rules; delete or edit one instead."] });
                }

                rule = new AlertRule { Name = "", CreatedAt = now };
                db.AlertRules.Add(rule);
            }

            AlertNames.TryParse<AlertRuleKind>(f.Kind, out var kind);
            AlertNames.TryParse<AlertScope>(f.Scope, out var ruleScope);
            var severity = AlertSeverity.Warning;
            if (f.Severity is not null)
            {
                AlertNames.TryParse(f.Severity, out severity);
            }

            rule.Name = f.Name!.Trim();
            rule.Kind = kind;
            rule.Threshold = f.Threshold;
            rule.ForMinutes = f.ForMinutes ?? 0;
            rule.Scope = ruleScope;
            rule.ScopeId = f.ScopeId;
            rule.Severity = severity;
            rule.ShiftTimeOnly = f.ShiftTimeOnly ?? false;
            rule.Enabled = f.Enabled ?? true;
            rule.Targets = Clean(f.Targets);
            rule.EscalateAfterMinutes = f.EscalateAfterMinutes;
            rule.EscalationTargets = Clean(f.EscalationTargets);
            rule.QuietMinutes = f.QuietMinutes ?? 10;
            rule.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            _cached = null;
        }
        finally
        {
            _lock.Release();
        }

        Changed?.Invoke();
        return new AlertRuleChange(rule, new Dictionary<string, string[]>());
    }

    private List<string> Clean(IReadOnlyList<string>? names) =>
        (names ?? []).Select(n => options.Value.Targets.Keys.First(k => string.Equals(k, n.Trim(), StringComparison.OrdinalIgnoreCase)))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    private async Task<IReadOnlyList<AlertRule>> LoadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        return await db.AlertRules.AsNoTracking().OrderBy(r => r.Id).ToListAsync(ct);
    }
}
