using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Template;

namespace Factory.Web.Endpoints;

/// <summary>
/// Answers requests under <c>/api</c> that no endpoint took. Because the catch-all fallback accepts every
/// method and content type, routing would otherwise turn a wrong method or content type into a 404;
/// here the path is matched against the API's routes to give the 405 (with <c>Allow</c>) or 415 it deserves.
/// </summary>
internal static class ApiFallback
{
    public static IResult Handle(HttpContext context, EndpointDataSource endpoints, IInlineConstraintResolver constraints)
    {
        var request = context.Request;
        var candidates = endpoints.Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e != context.GetEndpoint() && e.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 })
            .Where(e => Matches(e.RoutePattern, context, constraints))
            .ToList();

        if (candidates.Count == 0)
        {
            return TypedResults.Problem("No API endpoint at this path; see /docs for the list.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        var allowed = candidates.SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods).Distinct().Order().ToList();
        if (!allowed.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
        {
            context.Response.Headers.Allow = string.Join(", ", allowed);
            return TypedResults.Problem($"{request.Method} is not allowed on {request.Path}; use {string.Join(" or ", allowed)}.",
                statusCode: StatusCodes.Status405MethodNotAllowed, title: "Method not allowed");
        }

        var accepted = candidates
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Contains(request.Method, StringComparer.OrdinalIgnoreCase))
            .SelectMany(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? []).Distinct().ToList();
        if (accepted.Count > 0)
        {
            var given = string.IsNullOrEmpty(request.ContentType) ? "none" : $"'{request.ContentType}'";
            return TypedResults.Problem($"The body must be sent with 'Content-Type: {string.Join("' or '", accepted)}' (given: {given}).",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type");
        }

        return TypedResults.Problem("No API endpoint at this path; see /docs for the list.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
    }

    private static bool Matches(Microsoft.AspNetCore.Routing.Patterns.RoutePattern pattern, HttpContext context, IInlineConstraintResolver constraints)
    {
        var values = new RouteValueDictionary();
        if (!new TemplateMatcher(new RouteTemplate(pattern), new RouteValueDictionary(pattern.Defaults)).TryMatch(context.Request.Path, values))
        {
            return false;
        }

        foreach (var (name, policies) in pattern.ParameterPolicies)
        {
            foreach (var policy in policies)
            {
                if (policy.Content is { } text && constraints.ResolveConstraint(text) is { } constraint
                    && !constraint.Match(context, null, name, values, RouteDirection.IncomingRequest))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
