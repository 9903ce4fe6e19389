namespace Factory.Web.Live;

/// <summary>Redis for scale-out (section <c>Redis</c>): SignalR backplane and live notifications between instances.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. <c>redis:6379</c>; empty runs as a single instance.</summary>
    public string? Connection { get; set; }

    /// <summary>Prefix of channel names, so several plants can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "factory";

    /// <summary>
    /// Secret that signs the live relay's messages (HMAC-SHA256), the same on every instance; required outside Development
    /// when <see cref="Connection"/> is set. Anyone who can publish to Redis but does not know it cannot inject events.
    /// </summary>
    public string? RelaySecret { get; set; }

    /// <summary>Relay messages older (or further in the future) than this are dropped: a replay cannot bring back old events.</summary>
    public TimeSpan RelayMaxAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The secret used in Development when none is configured.</summary>
    internal const string DevelopmentRelaySecret = "factory-development-relay-secret";
}
