using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Factory.Web.Security;

/// <summary>API keys, roles, sign-in sessions, rate and concurrency limits, proxies, CORS and security headers.</summary>
public static class SecurityExtensions
{
    public const string CameraPolicy = "camera";
    public const string ViewerPolicy = "viewer";
    public const string AdminPolicy = "admin";
    public const string OpsPolicy = "ops";

    /// <summary>Dashboard pages: the viewer policy when <see cref="AuthOptions.RequireViewer"/>, open otherwise.</summary>
    public const string PagesPolicy = "pages";

    public const string RateLimitPolicy = "per-key";
    public const string CorsPolicy = "factory";

    public static IServiceCollection AddFactorySecurity(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section))
            .PostConfigure(o => o.RequireViewer ??= !environment.IsDevelopment())
            .Validate(o => o.Keys.All(k => k.Hash.Length == 64 && k.Hash.All(Uri.IsHexDigit)), "Auth:Keys:*:Hash must be a 64-character hex SHA-256 (dotnet run --project Factory.Web -- hash-key KEY).")
            .Validate(o => o.Keys.All(k => Roles.IsKnown(k.Role)), "Auth:Keys:*:Role must be camera, viewer, admin or ops.")
            .Validate(o => environment.IsDevelopment() || o.Keys.Count > 0, "No API keys are configured (Auth:Keys). Outside Development the server refuses to start without them; see README, Configuration.")
            .Validate(o => o.SessionIdleTimeout > TimeSpan.Zero && o.SessionLifetime > TimeSpan.Zero && o.RevalidateEvery > TimeSpan.Zero && o.FailureWindow > TimeSpan.Zero,
                "Auth:SessionIdleTimeout, Auth:SessionLifetime, Auth:RevalidateEvery and Auth:FailureWindow must be positive.")
            .Validate(o => o.MaxFailuresPerClient >= 1, "Auth:MaxFailuresPerClient must be at least 1.")
            .Validate(o => o.MetricsNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Auth:MetricsNetworks must be CIDR networks such as 10.0.0.0/8.")
            .ValidateOnStart();
        services.AddOptions<RequestLimitsOptions>().Bind(configuration.GetSection(Core.Limits.LimitsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Sessions>();
        services.AddSingleton<FailedKeyChecks>();
        services.AddForwardedHeadersFromConfiguration(configuration);
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        services.AddAntiforgery(o =>
        {
            o.HeaderName = CookieWriteGuard.HeaderName;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = "Smart";
                o.DefaultChallengeScheme = "Smart";
            })
            .AddPolicyScheme("Smart", "API key or sign-in cookie", o => o.ForwardDefaultSelector = ctx =>
                ApiKeyAuthenticationHandler.PresentsKey(ctx.Request)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, o =>
            {
                o.LoginPath = SignInEndpoints.Path;
                o.AccessDeniedPath = SignInEndpoints.Path;
                o.Cookie.Name = "factory.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = ValidateSessionAsync;
            });
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((o, auth) => o.ExpireTimeSpan = auth.Value.SessionIdleTimeout);

        services.AddAuthorizationBuilder()
            .AddPolicy(CameraPolicy, p => p.RequireRole(Roles.Camera, Roles.Admin))
            .AddPolicy(ViewerPolicy, p => p.RequireRole(Roles.Viewer, Roles.Admin))
            .AddPolicy(AdminPolicy, p => p.RequireRole(Roles.Admin))
            .AddPolicy(OpsPolicy, p => p.RequireAssertion(ctx => ctx.User.IsInRole(Roles.Ops) || ctx.User.IsInRole(Roles.Admin) || FromMetricsNetwork(ctx.Resource)))
            .AddPolicy(PagesPolicy, p => p.AddRequirements(new PagesRequirement()));
        services.AddSingleton<IAuthorizationHandler, PagesRequirementHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemDetailsAuthorizationResultHandler>();
        services.AddScoped<AuthenticationStateProvider, RevalidatingSessionStateProvider>();

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(RateLimitPolicy, ctx =>
            {
                var auth = ctx.RequestServices.GetRequiredService<IOptionsMonitor<AuthOptions>>().CurrentValue;
                var partition = ctx.User.Identity?.IsAuthenticated == true
                    ? "key:" + ctx.User.Identity.Name
                    : "ip:" + ctx.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Math.Max(1, auth.Burst),
                    TokensPerPeriod = Math.Max(1, auth.PermitsPerSecond),
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });

            // Heavy reads share one concurrency limit on top of the per-key rate: a few at a time, a short queue, then 429.
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
            {
                if (ctx.GetEndpoint()?.Metadata.GetMetadata<HeavyReadMetadata>() is null)
                {
                    return RateLimitPartition.GetNoLimiter("");
                }

                var limits = ctx.RequestServices.GetRequiredService<IOptions<RequestLimitsOptions>>().Value;
                return RateLimitPartition.GetConcurrencyLimiter("heavy", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = limits.HeavyReads,
                    QueueLimit = limits.HeavyReadQueue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
            });
            o.OnRejected = async (ctx, ct) =>
            {
                var heavy = !ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after);
                var retryAfter = heavy ? HeavyReadRetryAfterSeconds : Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
                ctx.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await ctx.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = ctx.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = heavy
                            ? $"The server is computing as many heavy reads as it allows (Limits:HeavyReads, with Limits:HeavyReadQueue waiting); retry after {retryAfter} s."
                            : $"This key sent more than its rate limit; retry after {retryAfter} s (batch events to send more per request).",
                    },
                });
            };
        });

        var origins = configuration.GetSection("Cors:Origins").Get<string[]>() ?? [];
        services.AddCors(o => o.AddPolicy(CorsPolicy, p => p.WithOrigins(origins).WithMethods("GET", "POST", "PUT", "DELETE").WithHeaders("Content-Type", ApiKeyAuthenticationHandler.HeaderName, CookieWriteGuard.HeaderName)));
        return services;
    }

    /// <summary>Seconds a client refused by the heavy-read limit is asked to wait.</summary>
    private const int HeavyReadRetryAfterSeconds = 2;

    /// <summary>Reads and pages need a viewer here (Auth:RequireViewer, resolved for the environment).</summary>
    public static bool ViewerRequired(IServiceProvider services) => services.GetRequiredService<IOptions<AuthOptions>>().Value.ViewerRequired;

    /// <summary>True when the request comes from a network of <see cref="AuthOptions.MetricsNetworks"/>.</summary>
    private static bool FromMetricsNetwork(object? resource)
    {
        if (resource is not HttpContext http || http.Connection.RemoteIpAddress is not { } address)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var networks = http.RequestServices.GetRequiredService<IOptionsMonitor<AuthOptions>>().CurrentValue.MetricsNetworks;
        return networks.Any(n => System.Net.IPNetwork.Parse(n).Contains(address));
    }

    /// <summary>A sign-in cookie stands only while its key is configured and it is younger than its lifetime (<see cref="Sessions"/>).</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal is not { } user || context.HttpContext.RequestServices.GetRequiredService<Sessions>().Check(user) is not { } problem)
        {
            return;
        }

        context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Sessions))
            .LogInformation("Refused the sign-in of key {Name}: {Reason}", user.Identity?.Name, problem);
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>API calls get a 401/403 status instead of a redirect to the sign-in page.</summary>
    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/hubs") || ctx.Request.Path.StartsWithSegments("/metrics"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>Before authentication: clients over their failed-key limit get 429 before any key is checked.</summary>
    public static IApplicationBuilder UseFailedKeyGuard(this IApplicationBuilder app) => app.UseMiddleware<FailedKeyGuard>();

    /// <summary>After authentication: state-changing API calls with only a sign-in cookie need an anti-forgery token.</summary>
    public static IApplicationBuilder UseCookieWriteGuard(this IApplicationBuilder app) => app.UseMiddleware<CookieWriteGuard>();

    /// <summary>After authorization: open dashboard connections per client address are capped.</summary>
    public static IApplicationBuilder UseCircuitLimits(this IApplicationBuilder app) => app.UseMiddleware<CircuitsPerClient>();

    /// <summary>
    /// Baseline security headers on every response, and HSTS outside Development. The content security policy allows
    /// scripts and connections (the dashboard's WebSocket included) to this origin only; styles may be inline (MudBlazor
    /// sets them), scripts may not.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        if (!app.ApplicationServices.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            app.UseHsts();
        }

        return app.Use(AddSecurityHeaders);
    }

    private static Task AddSecurityHeaders(HttpContext ctx, Func<Task> next)
    {
        var headers = ctx.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        if (!ctx.Request.Path.StartsWithSegments("/docs"))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
        }

        return next();
    }

    /// <summary>The dashboard's content security policy: nothing from or to other origins, no inline script.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
}

/// <summary>The dashboard pages' requirement: a viewer (or admin) when <see cref="AuthOptions.RequireViewer"/>, anyone otherwise.</summary>
internal sealed class PagesRequirement : IAuthorizationRequirement;

/// <summary>
/// Decides <see cref="PagesRequirement"/> from the options rather than the request, because open dashboards decide it
/// again in their circuit (after each revalidation), where there is no request.
/// </summary>
internal sealed class PagesRequirementHandler(IOptions<AuthOptions> auth) : AuthorizationHandler<PagesRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PagesRequirement requirement)
    {
        if (!auth.Value.ViewerRequired || context.User.IsInRole(Roles.Viewer) || context.User.IsInRole(Roles.Admin))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
