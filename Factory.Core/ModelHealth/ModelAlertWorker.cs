using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.ModelHealth;

/// <summary>Re-evaluates model alerts on a clock, since a silent camera produces no event to react to.</summary>
public sealed partial class ModelAlertWorker(
    ModelHealthService health,
    TimeProvider time,
    IOptions<ModelHealthOptions> options,
    ILogger<ModelAlertWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EvaluateEvery, time);
        do
        {
            try
            {
                await health.GetReportAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Model alert evaluation failed; it will be retried")]
    private partial void LogFailed(Exception ex);
}
