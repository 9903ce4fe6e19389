using System.Text.Json;
using Factory.Core.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;
using Scalar.AspNetCore;
using Serilog.AspNetCore;
using Serilog.Events;

namespace Factory.Web.Extensions;

/// <summary>HTTP concerns: JSON, ProblemDetails, OpenAPI, health checks, Kestrel limits.</summary>
public static class WebServiceExtensions
{
    /// <summary>
    /// Framework meters that record on every HTTP request. <c>UseHttpMetrics</c> already exports request counts and
    /// durations; bridging these too cost about a quarter of a small ingestion request's CPU (prometheus-net looks up
    /// a labelled series per measurement), so they are not exported.
    /// </summary>
    private static readonly HashSet<string> PerRequestMeters = new(StringComparer.Ordinal)
    {
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Diagnostics",
    };

    public static IServiceCollection AddFactoryWeb(this IServiceCollection services, IConfiguration configuration)
    {
        Metrics.ConfigureMeterAdapter(o => o.InstrumentFilterPredicate = instrument => !PerRequestMeters.Contains(instrument.Meter.Name));

        // Accepted camera posts are the bulk of all requests (up to thousands a second) and are counted on /metrics:
        // they are logged at Debug; failed, rejected and slow ones stay at Information or above.
        services.Configure<RequestLoggingOptions>(o => o.GetLevel = (ctx, elapsedMs, ex) =>
            ex is not null || ctx.Response.StatusCode >= 500 ? LogEventLevel.Error
            : ctx.Response.StatusCode < 400 && elapsedMs < 1000 && HttpMethods.IsPost(ctx.Request.Method) && ctx.Request.Path.StartsWithSegments("/api/events")
                ? LogEventLevel.Debug
                : LogEventLevel.Information);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
            ctx.ProblemDetails.Extensions["trace_id"] = ctx.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Factory Pulse API";
            doc.Info.Description = "Ingestion of AI-camera events and productivity metrics. JSON in snake_case; every error is RFC 9457 ProblemDetails.";
            return Task.CompletedTask;
        }));
        services.AddHealthChecks().AddDbContextCheck<FactoryDbContext>("database", tags: ["ready"]);
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o =>
        {
            // A little above the ingestion limit so the endpoint answers with its own, clearer 413.
            var maxBody = configuration.GetValue<int?>("Ingestion:MaxBodyBytes") ?? 1024 * 1024;
            o.Limits.MaxRequestBodySize = maxBody * 2L;
            o.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            o.Limits.MaxRequestHeaderCount = 100;
            o.AddServerHeader = false;
        });
        return services;
    }

    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth }).ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealth }).ExcludeFromDescription();
        var prometheus = app.MapMetrics("/metrics").ExcludeFromDescription();
        if (!app.Environment.IsDevelopment())
        {
            prometheus.RequireAuthorization(Security.SecurityExtensions.OpsPolicy);
        }


        // prometheus-net connects to .NET meters on its first collection; do it now, so that nothing
        // measured before the first scrape is lost.
        Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null).GetAwaiter().GetResult();
        var openApi = app.MapOpenApi();
        var reference = app.MapScalarApiReference("/docs", o => o.WithTitle("Factory Pulse API"));
        if (Security.SecurityExtensions.ViewerRequired(app.Services))
        {
            openApi.RequireAuthorization(Security.SecurityExtensions.ViewerPolicy);
            reference.RequireAuthorization(Security.SecurityExtensions.ViewerPolicy);
        }

        return app;
    }

    private static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
            details = report.Entries.Where(e => e.Value.Description is not null).ToDictionary(e => e.Key, e => e.Value.Description),
        });
    }
}
