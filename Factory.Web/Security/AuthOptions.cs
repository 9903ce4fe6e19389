using System.Security.Cryptography;
using System.Text;

namespace Factory.Web.Security;

/// <summary>API keys, roles and sign-in (section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The configured keys; each is stored as a SHA-256 hash, never in clear.</summary>
    public List<ApiKeyEntry> Keys { get; set; } = [];

    /// <summary>When true, reads and dashboard pages need a viewer key or sign-in too.</summary>
    public bool RequireViewer { get; set; }

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
}

/// <summary>The three roles of the API. An admin may do everything a camera or viewer may.</summary>
public static class Roles
{
    public const string Camera = "camera";
    public const string Viewer = "viewer";
    public const string Admin = "admin";

    public static bool IsKnown(string role) => role is Camera or Viewer or Admin;
}
