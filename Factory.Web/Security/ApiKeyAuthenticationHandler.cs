using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Factory.Web.Security;

/// <summary>
/// Authenticates <c>X-Api-Key</c> (or <c>Authorization: Bearer</c>, for scrapers that cannot set other headers): the key
/// is hashed and compared with every configured hash in constant time, so neither the key nor timing reveals which one
/// matched. A wrong key counts against the client's failure limit (<see cref="FailedKeyChecks"/>). The key is never logged.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<AuthOptions> auth,
    Sessions sessions,
    FailedKeyChecks failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string CameraClaim = Sessions.CameraClaim;

    /// <summary>The key of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? BearerKey(HttpRequest request)
    {
        var value = request.Headers.Authorization.ToString();
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value["Bearer ".Length..].Trim() : null;
    }

    /// <summary>True when the request presents a key in a header (as opposed to a sign-in cookie).</summary>
    public static bool PresentsKey(HttpRequest request) => request.Headers.ContainsKey(HeaderName) || BearerKey(request) is not null;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string key;
        if (Request.Headers.TryGetValue(HeaderName, out var values))
        {
            key = values.ToString();
            if (values.Count != 1 || key.Length is 0 or > 512)
            {
                return Task.FromResult(Fail("A malformed X-Api-Key header", "Malformed X-Api-Key header."));
            }
        }
        else if (BearerKey(Request) is { } bearer)
        {
            key = bearer;
            if (key.Length is 0 or > 512)
            {
                return Task.FromResult(Fail("A malformed bearer key", "Malformed Authorization header."));
            }
        }
        else
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var match = auth.CurrentValue.FindKey(key);
        if (match is null)
        {
            return Task.FromResult(Fail("An unknown API key", "Unknown API key."));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(sessions.CreatePrincipal(match, SchemeName), SchemeName)));
    }

    private AuthenticateResult Fail(string what, string message)
    {
        failures.Record(FailedKeyChecks.ClientOf(Context), what);
        return AuthenticateResult.Fail(message);
    }
}
