using Factory.Core.Alerts;
using Factory.Web.Endpoints;
using Microsoft.AspNetCore.SignalR;

namespace Factory.Web.Hubs;

/// <summary>
/// Pushes the open alerts to the live hub's clients (method <see cref="Method"/>, an array in the API's shape) whenever
/// this instance changed them: opened, acknowledged, escalated or resolved (with several instances the backplane carries
/// the push to every instance's clients, so each change is pushed once). Sends are not awaited by the service that raised the change.
/// </summary>
internal sealed partial class AlertHubBroadcaster(AlertService alerts, IHubContext<LiveHub> hub, ILogger<AlertHubBroadcaster> logger) : BackgroundService
{
    public const string Method = "open_alerts";

    private readonly SemaphoreSlim _changed = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void OnChanged()
        {
            if (_changed.CurrentCount == 0)
            {
                _changed.Release();
            }
        }

        alerts.ChangedHere += OnChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _changed.WaitAsync(stoppingToken);
                try
                {
                    var open = await alerts.OpenAsync(stoppingToken);
                    await hub.Clients.All.SendAsync(Method, open.Select(AlertDto.From).ToList(), stoppingToken);
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
        finally
        {
            alerts.ChangedHere -= OnChanged;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pushing open alerts to live hub clients failed")]
    private partial void LogSendFailed(Exception ex);
}
