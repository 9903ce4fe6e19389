using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.DataQuality;

/// <summary>Flushes <see cref="IngestionQualityCounter"/> on a timer and once more when the host stops.</summary>
public sealed partial class IngestionQualityFlusher(
    IngestionQualityCounter counter,
    TimeProvider time,
    IOptions<DataQualityOptions> options,
    ILogger<IngestionQualityFlusher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await FlushAsync(cancellationToken);
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        try
        {
            await counter.FlushAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFlushFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store duplicate/reject counts; they are kept for the next flush")]
    private partial void LogFlushFailed(Exception ex);
}
