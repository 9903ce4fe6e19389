using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Factory.Web.Security;

/// <summary>How much concurrent work clients may cause (section <c>Limits</c>, next to the read limits of <c>QueryLimits</c>).</summary>
public sealed class RequestLimitsOptions
{
    /// <summary>Heavy reads (metrics, model health, data quality, exports) computed at once; more wait in the queue.</summary>
    [Range(1, 1000)]
    public int HeavyReads { get; set; } = 4;

    /// <summary>Heavy reads that may wait for a slot; beyond that a caller gets 429 with <c>Retry-After</c>.</summary>
    [Range(0, 10_000)]
    public int HeavyReadQueue { get; set; } = 16;

    /// <summary>Open dashboard connections (Blazor circuits) per client address.</summary>
    [Range(1, 100_000)]
    public int CircuitsPerClient { get; set; } = 20;
}

/// <summary>Marks an endpoint whose cost grows with the data it reads: it runs under the heavy-read concurrency limit.</summary>
public sealed class HeavyReadMetadata
{
    public static readonly HeavyReadMetadata Instance = new();

    private HeavyReadMetadata()
    {
    }
}

/// <summary>Applies <see cref="HeavyReadMetadata"/> to endpoints.</summary>
public static class HeavyReadExtensions
{
    /// <summary>The endpoint (or every endpoint of the group) runs under the heavy-read concurrency limit.</summary>
    public static TBuilder HeavyRead<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(HeavyReadMetadata.Instance);
}

/// <summary>
/// Caps open dashboard connections per client address: a connection to <c>/_blazor</c> holds its request for the
/// circuit's life, so in-flight connection requests are counted, and a negotiation or connection beyond
/// <see cref="RequestLimitsOptions.CircuitsPerClient"/> gets 429 before a circuit is created.
/// </summary>
internal sealed partial class CircuitsPerClient(RequestDelegate next, IOptions<RequestLimitsOptions> options, IProblemDetailsService problems, ILogger<CircuitsPerClient> logger)
{
    public const string Path = "/_blazor";

    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var connects = path.Equals(Path, StringComparison.OrdinalIgnoreCase) && HttpMethods.IsGet(context.Request.Method);
        var negotiates = path.StartsWithSegments(Path + "/negotiate", StringComparison.OrdinalIgnoreCase);
        if (!connects && !negotiates)
        {
            await next(context);
            return;
        }

        var client = FailedKeyChecks.ClientOf(context);
        var limit = options.Value.CircuitsPerClient;
        if (negotiates)
        {
            if (_open.GetValueOrDefault(client) >= limit)
            {
                await RefuseAsync(context, client, limit);
                return;
            }

            await next(context);
            return;
        }

        if (_open.AddOrUpdate(client, 1, (_, n) => n + 1) > limit)
        {
            Release(client);
            await RefuseAsync(context, client, limit);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            Release(client);
        }
    }

    private void Release(string client)
    {
        if (_open.AddOrUpdate(client, 0, (_, n) => n - 1) <= 0)
        {
            _open.TryRemove(KeyValuePair.Create(client, 0));
        }
    }

    private async Task RefuseAsync(HttpContext context, string client, int limit)
    {
        LogRefused(client, limit);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = "10";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many dashboards",
                Detail = $"This address already has {limit} open dashboards (Limits:CircuitsPerClient); close one and retry.",
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a dashboard connection from {Client}: it has {Limit} open (Limits:CircuitsPerClient)")]
    private partial void LogRefused(string client, int limit);
}
