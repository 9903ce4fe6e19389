using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace Factory.Web.Security;

/// <summary>
/// A sign-in cookie alone never authorises a state-changing API call: a browser sends cookies with requests another
/// site makes it send. A POST, PUT, PATCH or DELETE under <c>/api</c> authenticated by the cookie must also carry a
/// valid anti-forgery token in <see cref="HeaderName"/> (from <c>GET /api/antiforgery</c>); calls with an API key
/// header are not affected.
/// </summary>
internal sealed class CookieWriteGuard(RequestDelegate next, IAntiforgery antiforgery, IProblemDetailsService problems)
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var changesState = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method));
        if (changesState
            && request.Path.StartsWithSegments("/api")
            && context.User.Identity is { IsAuthenticated: true, AuthenticationType: CookieAuthenticationDefaults.AuthenticationScheme }
            && !ApiKeyAuthenticationHandler.PresentsKey(request)
            && !await antiforgery.IsRequestValidAsync(context))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Anti-forgery token required",
                    Detail = $"A sign-in cookie alone does not authorise changes: send an X-Api-Key header, or the {HeaderName} header with the token from GET /api/antiforgery.",
                },
            });
            return;
        }

        await next(context);
    }
}

/// <summary><c>GET /api/antiforgery</c>: the token a signed-in browser sends in <see cref="CookieWriteGuard.HeaderName"/>.</summary>
public static class AntiforgeryEndpoints
{
    public static void MapAntiforgeryToken(this RouteGroupBuilder viewer) =>
        viewer.MapGet("/antiforgery", (HttpContext context, IAntiforgery antiforgery) =>
            {
                var tokens = antiforgery.GetAndStoreTokens(context);
                return TypedResults.Ok(new AntiforgeryToken(CookieWriteGuard.HeaderName, tokens.RequestToken!));
            })
            .WithName("GetAntiforgeryToken")
            .WithSummary("An anti-forgery token for state-changing calls made with a sign-in cookie instead of an API key");
}

/// <summary>The header to send and the token to put in it.</summary>
public sealed record AntiforgeryToken(string HeaderName, string Token);
