using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Factory.Web.Security;

/// <summary>
/// Authenticates <c>X-Api-Key</c>: the key is hashed and compared with every configured hash in constant time,
/// so neither the key nor timing reveals which one matched. The key itself is never logged.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string CameraClaim = "factory:camera";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > 512)
        {
            return Task.FromResult(AuthenticateResult.Fail("Malformed X-Api-Key header."));
        }

        var match = auth.CurrentValue.FindKey(key);
        if (match is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, match.Name), new(ClaimTypes.Role, match.Role) };
        claims.AddRange(match.Cameras.Select(c => new Claim(CameraClaim, c)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
