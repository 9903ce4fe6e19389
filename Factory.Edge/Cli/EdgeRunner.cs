using Factory.Edge.Buffer;
using Factory.Edge.Sending;
using Factory.Edge.Simulation;
using Microsoft.Extensions.Logging;

namespace Factory.Edge.Cli;

/// <summary>Runs the simulated cameras, the buffer and the sender until cancelled or the duration is over.</summary>
public sealed class EdgeRunner(EdgeSettings settings, TimeProvider time, ILoggerFactory logging, TextWriter output)
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    /// <summary>Simulated cameras by default; anything else that produces events can be plugged in.</summary>
    public IEventSource? Source { get; init; }

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var logger = logging.CreateLogger("Factory.Edge");
        using var buffer = EventBuffer.Open(new EventBufferOptions { Path = settings.BufferPath, MaxEvents = settings.MaxBuffer }, time, logging.CreateLogger<EventBuffer>());
        using var http = new HttpClient { BaseAddress = settings.Server, Timeout = Timeout.InfiniteTimeSpan };
        var options = new SenderOptions { ApiKey = settings.ApiKey, BatchSize = settings.BatchSize };
        await using var transport = settings.Broker is { } broker
            ? new MqttBatchTransport(broker, settings.MqttTopic, options.RequestTimeout)
            : (IBatchTransport)new HttpBatchTransport(http, options.ApiKey, options.RequestTimeout, time);
        var sender = new EventSender(transport, buffer, options, time, logging.CreateLogger<EventSender>());
        var source = Source ?? (settings.Source == "demo"
            ? new DemoDataEventSource(time.GetUtcNow(), settings.Seed ?? 42)
            : new SimulatedCameras(settings.Cameras, settings.Rate, time.GetUtcNow(), settings.Seed));
        using var disposable = source as IDisposable;

        var cameras = settings.Source == "demo" ? "the demo-data cameras" : $"{settings.Cameras} camera(s) at {settings.Rate} event(s)/s each";
        var destination = settings.Broker is { } b ? $"{b} ({settings.MqttTopic})" : settings.Server.ToString();
        output.WriteLine($"Sending to {destination} from {cameras}; buffer {Path.GetFullPath(settings.BufferPath)} (max {settings.MaxBuffer:N0}, {buffer.Count:N0} waiting). Ctrl+C stops.");

        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sending = sender.RunAsync(stopSending.Token);
        var generated = 0L;
        var started = time.GetUtcNow();
        var nextStatus = started + settings.StatusEvery;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                if (settings.Duration is { } duration && now - started >= duration)
                {
                    break;
                }

                var events = source.Poll(now);
                buffer.AddRange(events);
                generated += events.Count;
                if (now >= nextStatus)
                {
                    Print(buffer, sender);
                    nextStatus = now + settings.StatusEvery;
                }

                await Task.Delay(Tick, time, ct);
            }

            if (!ct.IsCancellationRequested)
            {
                // The camera has stopped; while the server takes events, give the sender a moment to empty the buffer.
                var drainUntil = time.GetUtcNow() + settings.Drain;
                while (buffer.Count > 0 && time.GetUtcNow() < drainUntil && !ct.IsCancellationRequested
                       && sender.Status.State is ServerState.Up or ServerState.Unknown)
                {
                    await Task.Delay(Tick, time, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        await stopSending.CancelAsync();
        await sending;
        Print(buffer, sender);
        output.WriteLine(buffer.Count == 0
            ? $"Generated {generated:N0} event(s) in this run; all were delivered."
            : $"Generated {generated:N0} event(s) in this run. {buffer.Count:N0} remain buffered in {settings.BufferPath}; they are sent on the next run.");
        if (buffer.Dropped > 0)
        {
            logger.LogWarning("{Dropped} events were dropped over the life of the buffer because it was full", buffer.Dropped);
        }

        return 0;
    }

    private void Print(EventBuffer buffer, EventSender sender) =>
        output.WriteLine(StatusLine.Format(time.GetUtcNow(), buffer.Count, buffer.Dropped, buffer.OldestTimestamp(), sender.Status));
}
