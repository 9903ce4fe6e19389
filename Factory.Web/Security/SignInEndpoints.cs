using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Factory.Web.Security;

/// <summary>
/// Sign-in for the dashboard: a viewer or admin enters their API key once and gets an HTTP-only, same-site cookie that
/// carries the key's fingerprint (<see cref="Sessions"/>); the form carries an anti-forgery token. No password store is
/// needed next to the keys.
/// </summary>
public static class SignInEndpoints
{
    public const string Path = "/login";

    public static void MapSignIn(this WebApplication app)
    {
        app.MapGet(Path, LoginPage).ExcludeFromDescription().AllowAnonymous();
        app.MapPost(Path, SignIn).ExcludeFromDescription().AllowAnonymous();
        app.MapPost("/logout", SignOut).ExcludeFromDescription().AllowAnonymous();
    }

    internal static IResult LoginPage(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? error)
    {
        if (BadReturnUrl(returnUrl) is { } bad)
        {
            return bad;
        }

        var tokens = antiforgery.GetAndStoreTokens(context);
        var message = error is null ? "" : "<p class=\"error\" role=\"alert\">That key is not a viewer or admin key. Check it and try again.</p>";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="dark"><title>Sign in · Factory Pulse</title>
            <style>
              body{margin:0;min-height:100vh;display:grid;place-items:center;background:#14161a;color:#e8eaed;font:16px/1.5 system-ui,sans-serif}
              form{background:#1e2127;border:1px solid #2c313a;border-radius:8px;padding:28px;width:min(92vw,380px);box-sizing:border-box}
              h1{font-size:1.35rem;margin:0 0 4px} p{color:#aab0ba;margin:0 0 18px;font-size:.92rem}
              label{display:block;margin-bottom:6px;font-weight:600}
              input[type=password]{width:100%;box-sizing:border-box;padding:10px;border-radius:6px;border:1px solid #454c57;background:#14161a;color:#e8eaed;font-size:1rem}
              button{margin-top:16px;width:100%;padding:10px;border:0;border-radius:6px;background:#f5a623;color:#14161a;font-weight:700;font-size:1rem;cursor:pointer}
              .error{color:#ff8a80} a{color:#f5a623}
            </style></head>
            <body><form method="post" action="/login">
              <h1>Factory Pulse</h1>
              <p>Sign in with a viewer key to see the dashboard, or an admin key to also seed data and edit the registry.</p>
              {{message}}
              <label for="key">API key</label>
              <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
              <input type="hidden" name="{{tokens.FormFieldName}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}">
              <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(SafeReturnUrl(returnUrl))}}">
              <button type="submit">Sign in</button>
              <p style="margin-top:14px"><a href="/">Back to the dashboard</a></p>
            </form></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8");
    }

    internal static async Task<IResult> SignIn(HttpContext context, [FromForm] string? key, [FromForm] string? returnUrl,
        IOptionsMonitor<AuthOptions> auth, Sessions sessions, FailedKeyChecks failures)
    {
        if (BadReturnUrl(returnUrl) is { } bad)
        {
            return bad;
        }

        var target = SafeReturnUrl(returnUrl);
        var entry = string.IsNullOrEmpty(key) || key.Length > 512 ? null : auth.CurrentValue.FindKey(key);
        if (entry is null || entry.Role is not (Roles.Admin or Roles.Viewer))
        {
            failures.Record(FailedKeyChecks.ClientOf(context), entry is null ? "A sign-in with an unknown key" : "A sign-in with a " + entry.Role + " key");
            return Results.Redirect($"{Path}?error=1&returnUrl={Uri.EscapeDataString(target)}");
        }

        var principal = sessions.CreatePrincipal(entry, CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Results.LocalRedirect(target);
    }

    /// <summary>Signs out; the form must carry the anti-forgery token, so no other site can sign a user out.</summary>
    internal static async Task<IResult> SignOut(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return TypedResults.Problem("Sign out with the button of the dashboard: the form's anti-forgery token is missing or invalid.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid sign-out request");
        }

        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.LocalRedirect(Path);
    }

    /// <summary>Only local paths, so the sign-in page cannot be used to send someone elsewhere.</summary>
    private static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";

    /// <summary>A 400 for a return address with control characters (they cannot be sent back in a <c>Location</c> header), else null.</summary>
    private static IResult? BadReturnUrl(string? returnUrl) =>
        returnUrl is not null && (returnUrl.Any(char.IsControl) || returnUrl.Length > 2048)
            ? TypedResults.Problem("returnUrl must be a local path of at most 2048 characters without control characters.",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid returnUrl")
            : null;
}
