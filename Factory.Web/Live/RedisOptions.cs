namespace Factory.Web.Live;

/// <summary>Redis for scale-out (section <c>Redis</c>): SignalR backplane and live notifications between instances.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. <c>redis:6379</c>; empty runs as a single instance.</summary>
    public string? Connection { get; set; }

    /// <summary>Prefix of channel names, so several plants can share one Redis.</summary>
    public string ChannelPrefix { get; set; } = "factory";
}
