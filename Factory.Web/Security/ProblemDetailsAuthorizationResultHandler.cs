using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;

namespace Factory.Web.Security;

/// <summary>401 and 403 on the API are ProblemDetails that say what to send.</summary>
internal sealed class ProblemDetailsAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        var metrics = context.Request.Path.StartsWithSegments("/metrics");
        if (result.Succeeded || !(context.Request.Path.StartsWithSegments("/api") || metrics))
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }

        var authenticated = context.User.Identity?.IsAuthenticated == true;
        var status = result.Forbidden && authenticated ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        var roles = string.Join(" or ", policy.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles));
        var detail = metrics
            ? "/metrics needs an ops key (X-Api-Key or Authorization: Bearer) or a client address in Auth:MetricsNetworks."
            : status == StatusCodes.Status401Unauthorized
            ? context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                ? "The X-Api-Key is not valid."
                : $"This endpoint needs an API key in the X-Api-Key header (role {roles})."
            : $"This key's role may not call this endpoint; it needs role {roles}.";
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
        }

        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = status == 401 ? "Unauthorized" : "Forbidden", Detail = detail },
        });
    }
}
