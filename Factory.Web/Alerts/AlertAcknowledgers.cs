using System.Security.Claims;
using Factory.Core.Alerts;
using Factory.Web.Security;

namespace Factory.Web.Alerts;

/// <summary>
/// Who may acknowledge alerts: users and keys of a role in <c>Alerts:AcknowledgeRoles</c> (default <c>admin</c>; add
/// <c>viewer</c> to let supervisors with a viewer key or viewer sign-in acknowledge). Admin is always included.
/// </summary>
public static class AlertAcknowledgers
{
    public const string Policy = "acknowledge-alerts";

    public static string[] Roles(IConfiguration configuration) =>
        (configuration.GetSection($"{AlertOptions.Section}:AcknowledgeRoles").Get<string[]>() ?? [])
            .Append(Factory.Web.Security.Roles.Admin)
            .Where(Factory.Web.Security.Roles.IsKnown)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    public static bool CanAcknowledge(ClaimsPrincipal user, IEnumerable<string> roles) =>
        user.Identity?.IsAuthenticated == true && roles.Append(Factory.Web.Security.Roles.Admin).Any(user.IsInRole);

    /// <summary>How an acknowledgement names its author: the key's (or signed-in user's) name and role, e.g. <c>night-supervisor (viewer)</c>.</summary>
    public static string Who(ClaimsPrincipal user)
    {
        var name = user.Identity?.Name is { Length: > 0 } n ? n : "unknown";
        var role = new[] { Factory.Web.Security.Roles.Admin, Factory.Web.Security.Roles.Viewer, Factory.Web.Security.Roles.Camera }.FirstOrDefault(user.IsInRole) ?? "none";
        return $"{name} ({role})";
    }
}
