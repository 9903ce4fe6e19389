using System.Threading.Channels;
using Factory.Core.Live;
using Factory.Web.Endpoints;
using Microsoft.AspNetCore.SignalR;

namespace Factory.Web.Hubs;

/// <summary>
/// Live feed for external clients (wall displays, integrations): every stored event is pushed with the
/// client method <c>events</c> and an array of events in the API's shape; model alerts with <c>alerts</c>. The dashboard itself subscribes
/// in process and does not use this hub.
/// </summary>
public sealed class LiveHub : Hub
{
    public const string Path = "/hubs/live";
    public const string EventsMethod = "events";

    /// <summary>Client method receiving the full list of active model alerts whenever it changes.</summary>
    public const string AlertsMethod = "alerts";
}

/// <summary>
/// Forwards committed events from the in-process notifier to the hub's clients. The notifier's handler only
/// queues, so a slow client never slows the writer; if clients cannot keep up, the oldest batches are dropped.
/// </summary>
internal sealed partial class LiveHubBroadcaster(
    IEventNotifier notifier,
    Factory.Core.ModelHealth.ModelAlertMonitor alerts,
    IHubContext<LiveHub> hub,
    ILogger<LiveHubBroadcaster> logger) : BackgroundService
{
    private readonly Channel<EventsCommitted> _pending = Channel.CreateBounded<EventsCommitted>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Events from other instances reach this instance's clients through the SignalR backplane already.
        using var subscription = notifier.Subscribe(n =>
        {
            if (!n.Remote)
            {
                _pending.Writer.TryWrite(n);
            }

            return ValueTask.CompletedTask;
        });
        using var alertSubscription = alerts.Subscribe(active =>
            _ = hub.Clients.All.SendAsync(LiveHub.AlertsMethod, active, CancellationToken.None).ContinueWith(
                t => LogSendFailed(t.Exception!), TaskContinuationOptions.OnlyOnFaulted));

        try
        {
            await foreach (var committed in _pending.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await hub.Clients.All.SendAsync(LiveHub.EventsMethod, committed.Events.Select(EventDto.From).ToList(), stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogSendFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pushing events to live hub clients failed")]
    private partial void LogSendFailed(Exception ex);
}
