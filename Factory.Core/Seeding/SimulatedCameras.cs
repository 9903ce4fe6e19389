using System.Text.Json;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.Seeding;

/// <summary>
/// Live demo mode (<c>Simulator:Enabled</c>): cameras that keep reporting the current shift, so the
/// dashboard moves. Every <c>Simulator:Interval</c> it posts, through the normal batch path, the events of
/// the demo stream that a camera would have sent by now (late ones late). It continues the stream a
/// 24-hour seed made at start-up would contain, so both together look like one history.
/// </summary>
public sealed partial class SimulatedCameras(
    DemoDataSeeder seeder,
    IngestionService ingestion,
    TimeProvider time,
    IOptions<SimulatorOptions> options,
    ILogger<SimulatedCameras> logger) : BackgroundService
{
    private long _posted;

    /// <summary>Events posted and stored (or recognised as duplicates) so far.</summary>
    public long Posted => Interlocked.Read(ref _posted);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        await Task.Yield();
        var start = time.GetUtcNow().UtcDateTime;
        var scenario = await seeder.CreateScenarioAsync(start - TimeSpan.FromHours(24), start, stoppingToken);
        var generator = new DemoDataGenerator(scenario);
        using var stream = generator.GenerateByEmission(start, DateTime.MaxValue).GetEnumerator();
        var batchSize = ingestion.Options.MaxBatchSize;
        var due = new List<GeneratedEvent>();
        GeneratedEvent? next = null;
        var exhausted = false;
        LogStarted(options.Value.Interval.TotalSeconds);

        while (!stoppingToken.IsCancellationRequested && !(exhausted && due.Count == 0))
        {
            var now = time.GetUtcNow().UtcDateTime;
            while (!exhausted)
            {
                if (next is null)
                {
                    // The stream only ends when the registry has no workers.
                    if (!stream.MoveNext())
                    {
                        exhausted = true;
                        break;
                    }

                    next = stream.Current;
                }

                if (next.EmitAt > now)
                {
                    break;
                }

                due.Add(next);
                next = null;
            }

            // What could not be posted stays due and goes with the next round, like a camera's buffer.
            while (due.Count > 0 && await TryPostAsync(due.GetRange(0, Math.Min(batchSize, due.Count)), stoppingToken))
            {
                due.RemoveRange(0, Math.Min(batchSize, due.Count));
            }

            try
            {
                await Task.Delay(options.Value.Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<bool> TryPostAsync(List<GeneratedEvent> batch, CancellationToken ct)
    {
        try
        {
            using var document = JsonDocument.Parse(CameraEventJson.ToBatchBody(batch.Select(e => e.Event)));
            var result = await ingestion.IngestBatchAsync(document.RootElement.GetProperty("events"), ct);
            Interlocked.Add(ref _posted, result.Outcomes.Length);
            if (result.Rejected.Count > 0)
            {
                LogRejected(result.Rejected.Count);
            }

            return true;
        }
        catch (IngestionUnavailableException ex)
        {
            LogPostFailed(ex, batch.Count);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated cameras are posting demo events every {Seconds} s (Simulator:Enabled)")]
    private partial void LogStarted(double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulated cameras could not post {Count} events; retrying next round")]
    private partial void LogPostFailed(Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} simulated events were rejected (registry changed since the simulator started?)")]
    private partial void LogRejected(int count);
}
