using System.Security.Cryptography;
using System.Text;

namespace Factory.Web.Security;

/// <summary>API keys, roles and sign-in (section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The configured keys; each is stored as a SHA-256 hash, never in clear.</summary>
    public List<ApiKeyEntry> Keys { get; set; } = [];

    /// <summary>
    /// When true, reads, dashboard pages, the live hub, exports and the API reference need a viewer key or sign-in.
    /// Unset: true outside Development (see <see cref="SecurityExtensions.AddFactorySecurity"/>).
    /// </summary>
    public bool? RequireViewer { get; set; }

    /// <summary><see cref="RequireViewer"/> as resolved for this environment.</summary>
    public bool ViewerRequired => RequireViewer ?? true;

    /// <summary>A sign-in lapses after this long without a request (sliding).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A sign-in ends this long after it was made, however active (absolute).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How often an open dashboard checks that its user's key is still configured and the session not over.</summary>
    public TimeSpan RevalidateEvery { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Failed key checks and sign-ins one client address may make per <see cref="FailureWindow"/> before it gets 429.</summary>
    public int MaxFailuresPerClient { get; set; } = 10;

    /// <summary>The window over which <see cref="MaxFailuresPerClient"/> is counted.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Client networks (CIDR, e.g. <c>10.0.0.0/8</c>) that may read <c>/metrics</c> without an ops key.</summary>
    public List<string> MetricsNetworks { get; set; } = [];

    /// <summary>Requests per second allowed per key (token bucket); anonymous callers share one bucket per IP.</summary>
    public int PermitsPerSecond { get; set; } = 200;

    /// <summary>Burst size of the per-key token bucket.</summary>
    public int Burst { get; set; } = 400;

    /// <summary>
    /// The entry whose hash matches <paramref name="key"/>, or null. Every entry is compared in constant time,
    /// match or not, so neither the result nor the time taken reveals which key came close.
    /// </summary>
    public ApiKeyEntry? FindKey(string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        ApiKeyEntry? match = null;
        foreach (var entry in Keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(entry.Hash)))
            {
                match = entry;
            }
        }

        return match;
    }
}

/// <summary>One API key: a name for logs, the hash of the key, its role and optionally the cameras it may speak for.</summary>
public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the key (compute with <c>dotnet run --project Factory.Web -- hash-key KEY</c>).</summary>
    public string Hash { get; set; } = "";

    public string Role { get; set; } = Roles.Camera;

    /// <summary>If set, a camera key may only send events with these camera ids.</summary>
    public List<string> Cameras { get; set; } = [];

    public static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>
    /// What a session remembers of the key it was issued for: a one-way digest of the configured hash, so that a sign-in
    /// ends when its key is removed from the configuration, without the cookie carrying anything that helps guess the key.
    /// </summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("factory-session:" + Hash.ToLowerInvariant())))[..32];
}

/// <summary>The roles of the API. An admin may do everything a camera, viewer or ops key may; ops only reads <c>/metrics</c>.</summary>
public static class Roles
{
    public const string Camera = "camera";
    public const string Viewer = "viewer";
    public const string Admin = "admin";
    public const string Ops = "ops";

    public static bool IsKnown(string role) => role is Camera or Viewer or Admin or Ops;
}
