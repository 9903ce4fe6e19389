using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Factory.Web.Security;

/// <summary>
/// Counts failed key checks and sign-ins per client address in fixed windows (<see cref="AuthOptions.FailureWindow"/>).
/// Once an address has had <see cref="AuthOptions.MaxFailuresPerClient"/> failures in a window, every further key
/// or sign-in it presents is answered 429 until the window ends, valid or not, so guessing learns nothing more.
/// </summary>
public sealed partial class FailedKeyChecks(IOptionsMonitor<AuthOptions> auth, TimeProvider time, ILogger<FailedKeyChecks> logger)
{
    /// <summary>Addresses tracked before expired windows are swept out.</summary>
    private const int SweepAbove = 10_000;

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>How long <paramref name="client"/> must wait, or null when it may present a key now.</summary>
    public TimeSpan? RetryAfter(string client)
    {
        var options = auth.CurrentValue;
        if (!_windows.TryGetValue(client, out var window))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var ends = window.Start + options.FailureWindow;
        return now < ends && window.Failures >= options.MaxFailuresPerClient ? ends - now : null;
    }

    /// <summary>Counts a failure of <paramref name="client"/>; <paramref name="what"/> says what failed, never with the key.</summary>
    public void Record(string client, string what)
    {
        var options = auth.CurrentValue;
        var now = time.GetUtcNow();
        if (_windows.Count > SweepAbove)
        {
            foreach (var (key, old) in _windows)
            {
                if (now >= old.Start + options.FailureWindow)
                {
                    _windows.TryRemove(key, out _);
                }
            }
        }

        var window = _windows.AddOrUpdate(client,
            _ => new Window(now, 1),
            (_, w) => now >= w.Start + options.FailureWindow ? new Window(now, 1) : w with { Failures = w.Failures + 1 });
        LogFailure(what, client, window.Failures, options.MaxFailuresPerClient);
    }

    /// <summary>The address the limits apply to: the client's, as the trusted proxy reported it.</summary>
    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What} from {Client} ({Failures} of {Limit} allowed failures in the window)")]
    private partial void LogFailure(string what, string client, int failures, int limit);

    private sealed record Window(DateTimeOffset Start, int Failures);
}

/// <summary>
/// Runs before authentication: a client over its failure limit gets 429 with <c>Retry-After</c> for any request that
/// presents a key (header or sign-in form), before the key is even looked at.
/// </summary>
internal sealed class FailedKeyGuard(RequestDelegate next, FailedKeyChecks failures, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var presentsKey = context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
            || ApiKeyAuthenticationHandler.BearerKey(context.Request) is not null
            || (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals(SignInEndpoints.Path, StringComparison.OrdinalIgnoreCase));
        if (presentsKey && failures.RetryAfter(FailedKeyChecks.ClientOf(context)) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many failed key checks",
                    Detail = $"This address presented too many wrong keys (Auth:MaxFailuresPerClient per Auth:FailureWindow); retry after {seconds} s.",
                },
            });
            return;
        }

        await next(context);
    }
}
