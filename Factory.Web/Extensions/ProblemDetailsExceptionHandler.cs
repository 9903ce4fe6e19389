using Factory.Core.Ingestion;
using Microsoft.AspNetCore.Diagnostics;

namespace Factory.Web.Extensions;

/// <summary>
/// Turns exceptions into ProblemDetails: the framework's own bad-request errors keep their status,
/// a saturated or failed writer is a 503 the camera should retry, anything else a 500 without internals.
/// </summary>
internal sealed partial class ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            Factory.Core.Shifts.UnknownShiftException unknownShift => (StatusCodes.Status400BadRequest, "Unknown shift", unknownShift.Message),
            IngestionUnavailableException unavailable => (StatusCodes.Status503ServiceUnavailable, "Storage unavailable", unavailable.Message),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, "Client closed request", "The request was cancelled."),
            _ => (StatusCodes.Status500InternalServerError, "Server error", "An unexpected error occurred; it has been logged."),
        };

        if (status >= 500)
        {
            LogUnhandled(exception, context.Request.Path);
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request to {Path} failed")]
    private partial void LogUnhandled(Exception ex, PathString path);
}
