using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Factory.Core.Alerts;

/// <summary>A short list of names (camera ids, target names) stored as one comma-separated column.</summary>
internal static class NameListConversion
{
    public static readonly ValueConverter<List<string>, string> Converter = new(
        v => string.Join(',', v),
        v => v.Length == 0 ? new List<string>() : v.Split(',', StringSplitOptions.None).ToList());

    public static readonly ValueComparer<List<string>> Comparer = new(
        (a, b) => a != null && b != null ? a.SequenceEqual(b) : a == b,
        v => v.Aggregate(17, (h, s) => HashCode.Combine(h, s.GetHashCode(StringComparison.Ordinal))),
        v => v.ToList());
}

internal sealed class AlertRuleConfiguration : IEntityTypeConfiguration<AlertRule>
{
    public void Configure(EntityTypeBuilder<AlertRule> e)
    {
        e.ToTable("alert_rules");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(100);
        e.Property(x => x.Kind).HasColumnName("kind").HasConversion<string>().HasMaxLength(32);
        e.Property(x => x.Threshold).HasColumnName("threshold");
        e.Property(x => x.ForMinutes).HasColumnName("for_minutes");
        e.Property(x => x.Scope).HasColumnName("scope").HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.ScopeId).HasColumnName("scope_id").HasMaxLength(64);
        e.Property(x => x.Severity).HasColumnName("severity").HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.ShiftTimeOnly).HasColumnName("shift_time_only");
        e.Property(x => x.Enabled).HasColumnName("enabled");
        e.Property(x => x.Targets).HasColumnName("targets").HasMaxLength(1100).HasConversion(NameListConversion.Converter, NameListConversion.Comparer);
        e.Property(x => x.EscalateAfterMinutes).HasColumnName("escalate_after_minutes");
        e.Property(x => x.EscalationTargets).HasColumnName("escalation_targets").HasMaxLength(1100).HasConversion(NameListConversion.Converter, NameListConversion.Comparer);
        e.Property(x => x.QuietMinutes).HasColumnName("quiet_minutes");
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        e.HasData(DefaultAlertRules.All);
    }
}

internal sealed class AlertRecordConfiguration : IEntityTypeConfiguration<AlertRecord>
{
    public void Configure(EntityTypeBuilder<AlertRecord> e)
    {
        e.ToTable("alerts");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.RuleId).HasColumnName("rule_id");
        e.Property(x => x.RuleName).HasColumnName("rule_name").HasMaxLength(100);
        e.Property(x => x.Kind).HasColumnName("kind").HasConversion<string>().HasMaxLength(32);
        e.Property(x => x.Scope).HasColumnName("scope").HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.EntityId).HasColumnName("entity_id").HasMaxLength(64);
        e.Property(x => x.Severity).HasColumnName("severity").HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.State).HasColumnName("state").HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Message).HasColumnName("message").HasMaxLength(1000);
        e.Property(x => x.Value).HasColumnName("value");
        e.Property(x => x.Threshold).HasColumnName("threshold");
        e.Property(x => x.StartedAt).HasColumnName("started_at");
        e.Property(x => x.OpenedAt).HasColumnName("opened_at");
        e.Property(x => x.AcknowledgedAt).HasColumnName("acknowledged_at");
        e.Property(x => x.AcknowledgedBy).HasColumnName("acknowledged_by").HasMaxLength(200);
        e.Property(x => x.AcknowledgeComment).HasColumnName("acknowledge_comment").HasMaxLength(500);
        e.Property(x => x.EscalatedAt).HasColumnName("escalated_at");
        e.Property(x => x.ResolvedAt).HasColumnName("resolved_at");

        // The history page and export read by time, newest first; the start-up load reads the unresolved ones.
        e.HasIndex(x => x.OpenedAt).HasDatabaseName("ix_alerts_opened");
        e.HasIndex(x => new { x.State, x.OpenedAt }).HasDatabaseName("ix_alerts_state_opened");

        // At most one unresolved alert per rule and entity, whatever instance or pass tries to open another.
        e.HasIndex(x => new { x.RuleId, x.Scope, x.EntityId }).IsUnique().HasFilter("\"resolved_at\" IS NULL").HasDatabaseName("ux_alerts_unresolved");
    }
}

internal sealed class AlertDeliveryConfiguration : IEntityTypeConfiguration<AlertDelivery>
{
    public void Configure(EntityTypeBuilder<AlertDelivery> e)
    {
        e.ToTable("alert_deliveries");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.AlertId).HasColumnName("alert_id");
        e.Property(x => x.Change).HasColumnName("change").HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Target).HasColumnName("target").HasMaxLength(64);
        e.Property(x => x.Payload).HasColumnName("payload");
        e.Property(x => x.Status).HasColumnName("status").HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.Attempts).HasColumnName("attempts");
        e.Property(x => x.NextAttemptAt).HasColumnName("next_attempt_at");
        e.Property(x => x.LastError).HasColumnName("last_error").HasMaxLength(1000);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.DeliveredAt).HasColumnName("delivered_at");

        // The dispatcher takes the due pending ones; the delivery log reads newest first.
        e.HasIndex(x => new { x.Status, x.NextAttemptAt }).HasDatabaseName("ix_alert_deliveries_due");
        e.HasIndex(x => x.CreatedAt).HasDatabaseName("ix_alert_deliveries_created");
    }
}

/// <summary>The rules every installation starts with (all enabled; README, Alerts).</summary>
public static class DefaultAlertRules
{
    private static readonly DateTime Seeded = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static IReadOnlyList<AlertRule> All { get; } =
    [
        Rule(1, "Camera silent during shift", AlertRuleKind.CameraSilent, null, 0, AlertScope.Camera, AlertSeverity.Warning, shiftOnly: true, escalate: 30),
        Rule(2, "Model confidence low", AlertRuleKind.ModelConfidence, 0.75, 10, AlertScope.Factory, AlertSeverity.Critical, shiftOnly: false, escalate: null),
        Rule(3, "Station utilization below 50 %", AlertRuleKind.StationUtilization, 50, 30, AlertScope.Workstation, AlertSeverity.Warning, shiftOnly: true, escalate: null),
        Rule(4, "Worker idle for 20 min", AlertRuleKind.WorkerIdleStretch, 20, 0, AlertScope.Worker, AlertSeverity.Info, shiftOnly: true, escalate: null),
        Rule(5, "Station unstaffed", AlertRuleKind.StationUnstaffed, 1, 15, AlertScope.Workstation, AlertSeverity.Warning, shiftOnly: true, escalate: 30),
        Rule(6, "Factory output below 10 u/h", AlertRuleKind.UnitsPerHour, 10, 30, AlertScope.Factory, AlertSeverity.Info, shiftOnly: true, escalate: null),
        Rule(7, "Late events above 10 %", AlertRuleKind.LateEventsShare, 10, 10, AlertScope.Factory, AlertSeverity.Warning, shiftOnly: false, escalate: null),
    ];

    private static AlertRule Rule(int id, string name, AlertRuleKind kind, double? threshold, int forMinutes, AlertScope scope, AlertSeverity severity, bool shiftOnly, int? escalate) => new()
    {
        Id = id,
        Name = name,
        Kind = kind,
        Threshold = threshold,
        ForMinutes = forMinutes,
        Scope = scope,
        Severity = severity,
        ShiftTimeOnly = shiftOnly,
        Enabled = true,
        EscalateAfterMinutes = escalate,
        QuietMinutes = 10,
        CreatedAt = Seeded,
        UpdatedAt = Seeded,
    };
}
