namespace Factory.Core.Alerts;

/// <summary>An admin-defined alert rule (table <c>alert_rules</c>).</summary>
public sealed class AlertRule
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public AlertRuleKind Kind { get; set; }

    /// <summary>The value compared with the kind's measure; null takes the kind's default (camera silent: <c>ModelHealth:CameraSilentAfter</c>).</summary>
    public double? Threshold { get; set; }

    /// <summary>How long the condition must hold before the alert opens ("for 10 min").</summary>
    public int ForMinutes { get; set; }

    public AlertScope Scope { get; set; }

    /// <summary>One workstation, worker or camera; null: every one of the scope.</summary>
    public string? ScopeId { get; set; }

    public AlertSeverity Severity { get; set; } = AlertSeverity.Warning;

    /// <summary>The condition only counts inside shift occurrences and never inside planned breaks.</summary>
    public bool ShiftTimeOnly { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>Names of notification targets (configured under <c>Alerts:Targets</c>).</summary>
    public List<string> Targets { get; set; } = [];

    /// <summary>Raise the severity one step and notify <see cref="EscalationTargets"/> when not acknowledged this long after opening; null: never.</summary>
    public int? EscalateAfterMinutes { get; set; }

    public List<string> EscalationTargets { get; set; } = [];

    /// <summary>After an alert resolves, the same rule and entity do not open another one for this long.</summary>
    public int QuietMinutes { get; set; } = 10;

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One alert: a rule's condition that held for one entity (table <c>alerts</c>).</summary>
public sealed class AlertRecord
{
    public long Id { get; set; }
    public int RuleId { get; set; }
    public required string RuleName { get; set; }
    public AlertRuleKind Kind { get; set; }

    /// <summary>What the alert is about: the factory, or one workstation, worker or camera (<see cref="EntityId"/>).</summary>
    public AlertScope Scope { get; set; }

    /// <summary>The entity's id; empty for the factory.</summary>
    public string EntityId { get; set; } = "";

    /// <summary>Current severity (escalation raises it).</summary>
    public AlertSeverity Severity { get; set; }

    public AlertState State { get; set; }
    public required string Message { get; set; }

    /// <summary>The measured value when the alert opened, and the threshold it was compared with.</summary>
    public double Value { get; set; }

    public double Threshold { get; set; }

    /// <summary>When the condition began to hold.</summary>
    public DateTime StartedAt { get; set; }

    /// <summary>When it had held long enough (and any quiet period was over): the alert's start.</summary>
    public DateTime OpenedAt { get; set; }

    public DateTime? AcknowledgedAt { get; set; }
    public string? AcknowledgedBy { get; set; }
    public string? AcknowledgeComment { get; set; }
    public DateTime? EscalatedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }
}

/// <summary>A notification waiting in or sent from the outbox (table <c>alert_deliveries</c>).</summary>
public sealed class AlertDelivery
{
    public long Id { get; set; }
    public long AlertId { get; set; }
    public AlertChange Change { get; set; }

    /// <summary>The target's name under <c>Alerts:Targets</c>.</summary>
    public required string Target { get; set; }

    /// <summary>The alert as it was when the change happened (JSON), so a late delivery tells what was true then.</summary>
    public required string Payload { get; set; }

    public DeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
}
