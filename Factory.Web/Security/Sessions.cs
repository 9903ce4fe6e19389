using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace Factory.Web.Security;

/// <summary>
/// Who a request or a dashboard circuit is, and whether that still holds: every principal carries the fingerprint of the
/// key it was issued for (<see cref="ApiKeyEntry.Fingerprint"/>) and when it was issued. A principal is refused once its
/// key is no longer configured (or has changed role) and once it is older than <see cref="AuthOptions.SessionLifetime"/>.
/// The sign-in cookie, the API key handler and the circuits' revalidation all use this one rule.
/// </summary>
public sealed class Sessions(IOptionsMonitor<AuthOptions> auth, TimeProvider time)
{
    public const string KeyClaim = "factory:key";
    public const string KeyRoleClaim = "factory:key-role";
    public const string IssuedClaim = "factory:issued";
    public const string CameraClaim = "factory:camera";

    /// <summary>A principal for <paramref name="entry"/> with the roles that key grants (an admin is also a viewer).</summary>
    public ClaimsPrincipal CreatePrincipal(ApiKeyEntry entry, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, entry.Name),
            new(ClaimTypes.Role, entry.Role),
            new(KeyClaim, entry.Fingerprint),
            new(KeyRoleClaim, entry.Role),
            new(IssuedClaim, time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        };
        if (entry.Role == Roles.Admin)
        {
            claims.Add(new Claim(ClaimTypes.Role, Roles.Viewer));
        }

        claims.AddRange(entry.Cameras.Select(c => new Claim(CameraClaim, c)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>Null when <paramref name="user"/> still stands (anonymous users always do); otherwise why not, for the log.</summary>
    public string? Check(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var fingerprint = user.FindFirst(KeyClaim)?.Value;
        var role = user.FindFirst(KeyRoleClaim)?.Value;
        if (fingerprint is null || role is null || !long.TryParse(user.FindFirst(IssuedClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var issued))
        {
            return "it was issued without a key fingerprint";
        }

        var options = auth.CurrentValue;
        var entry = options.Keys.FirstOrDefault(k => string.Equals(k.Fingerprint, fingerprint, StringComparison.Ordinal));
        if (entry is null)
        {
            return "its key is no longer configured";
        }

        if (entry.Role != role)
        {
            return "its key's role changed";
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(issued);
        return age > options.SessionLifetime ? "it is older than Auth:SessionLifetime" : null;
    }
}
