using System.ComponentModel.DataAnnotations;

namespace Factory.Core.Alerts;

/// <summary>Alert evaluation, acknowledgement and notification settings (section <c>Alerts</c>).</summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    /// <summary>
    /// Take part in evaluating rules. With several instances on one database every one may: only the holder of the
    /// evaluation lease evaluates (<see cref="EvaluationLease"/>); false keeps this instance from ever taking it.
    /// </summary>
    public bool Evaluate { get; set; } = true;

    /// <summary>How long the evaluation lease lasts without renewal: the longest an instance that died holds up evaluation.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often every rule is re-evaluated when no event arrives (durations and silence are only seen by a clock).</summary>
    public TimeSpan EvaluateEvery { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Events this far back are read at start-up to rebuild the live figures (the trailing-hour windows need one hour).</summary>
    public TimeSpan WarmUp { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Roles whose signed-in users and API keys may acknowledge alerts.</summary>
    public List<string> AcknowledgeRoles { get; set; } = ["admin"];

    /// <summary>Notification targets by name: webhooks (generic JSON or Slack) and email.</summary>
    public Dictionary<string, NotificationTarget> Targets { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Targets notified of every alert of a severity (<c>info</c>, <c>warning</c>, <c>critical</c>), in addition to the rule's own.</summary>
    public Dictionary<string, List<string>> SeverityTargets { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public SmtpSettings Smtp { get; set; } = new();

    public DeliverySettings Delivery { get; set; } = new();

    /// <summary>The longest range one history read or export may cover.</summary>
    [Range(1, 3660)]
    public int MaxRangeDays { get; set; } = 366;

    /// <summary>The names of problems with the settings, empty when usable (checked at start-up).</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var (name, target) in Targets)
        {
            if (target.Type is NotificationType.Webhook or NotificationType.Slack)
            {
                if (!Uri.TryCreate(target.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    yield return $"Alerts:Targets:{name}:Url must be an absolute http(s) URL.";
                }
            }
            else if (target.To.Count == 0 || target.To.Any(a => !a.Contains('@', StringComparison.Ordinal)))
            {
                yield return $"Alerts:Targets:{name}:To must list at least one email address.";
            }
        }

        foreach (var (severity, names) in SeverityTargets)
        {
            if (!AlertNames.TryParse<AlertSeverity>(severity, out _))
            {
                yield return $"Alerts:SeverityTargets:{severity} is not a severity (info, warning, critical).";
            }

            foreach (var name in names.Where(n => !Targets.ContainsKey(n)))
            {
                yield return $"Alerts:SeverityTargets:{severity} names the unknown target '{name}'.";
            }
        }

        if (Targets.Values.Any(t => t.Type == NotificationType.Email) && (string.IsNullOrWhiteSpace(Smtp.Host) || string.IsNullOrWhiteSpace(Smtp.From)))
        {
            yield return "Alerts:Smtp:Host and Alerts:Smtp:From are required when an email target is configured.";
        }

        if (EvaluateEvery < TimeSpan.FromMilliseconds(100) || EvaluateEvery > TimeSpan.FromMinutes(5))
        {
            yield return "Alerts:EvaluateEvery must be between 00:00:00.1 and 00:05:00.";
        }

        if (LeaseDuration < TimeSpan.FromSeconds(1) || LeaseDuration > TimeSpan.FromMinutes(15) || LeaseDuration < 3 * EvaluateEvery)
        {
            yield return "Alerts:LeaseDuration must be between 00:00:01 and 00:15:00 and at least three times Alerts:EvaluateEvery (the holder renews it every pass).";
        }

        if (WarmUp < TimeSpan.Zero || WarmUp > TimeSpan.FromDays(1))
        {
            yield return "Alerts:WarmUp must be between 0 and 1.00:00:00.";
        }
    }
}

/// <summary>How a target is notified.</summary>
public enum NotificationType
{
    /// <summary>POST of the alert as JSON, HMAC-signed.</summary>
    Webhook,

    /// <summary>POST of a Slack-compatible <c>{"text": …}</c> body (incoming webhook), HMAC-signed too.</summary>
    Slack,

    /// <summary>A plain-text email through <see cref="AlertOptions.Smtp"/>.</summary>
    Email,
}

/// <summary>One notification target. The secret stays in configuration and is never shown on a page or in the API.</summary>
public sealed class NotificationTarget
{
    public NotificationType Type { get; set; } = NotificationType.Webhook;

    public string? Url { get; set; }

    /// <summary>Key of the HMAC-SHA256 signature of webhook bodies.</summary>
    public string? Secret { get; set; }

    /// <summary>Recipients of an email target.</summary>
    public List<string> To { get; set; } = [];
}

/// <summary>How TLS is used to reach the SMTP server.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain connection (a relay on the same host or network).</summary>
    None,

    /// <summary>Upgrade with STARTTLS, refusing a server that does not offer it.</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,

    /// <summary>STARTTLS when the server offers it.</summary>
    Auto,
}

/// <summary>The SMTP server used by email targets.</summary>
public sealed class SmtpSettings
{
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? From { get; set; }
}

/// <summary>Retries of the notification outbox.</summary>
public sealed class DeliverySettings
{
    /// <summary>How often the outbox is checked for due deliveries (new ones are sent at once).</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wait before the first retry; it doubles with each further attempt up to <see cref="MaxRetry"/>.</summary>
    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetry { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>After this many failed attempts a delivery is marked failed and left in the log.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Time allowed for one attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}
