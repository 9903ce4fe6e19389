using Factory.Core.Events;
using Factory.Core.Live;
using Factory.Web.Dashboard;
using Microsoft.AspNetCore.Components;

namespace Factory.Web.Components.Shared;

/// <summary>
/// Base of every live page: subscribes to the in-process notifier once the circuit is interactive, receives
/// coalesced <see cref="LiveBatch"/> updates on the renderer's context, catches up after a reconnect, and
/// unsubscribes on dispose.
/// </summary>
public abstract class LiveComponentBase : ComponentBase, IAsyncDisposable
{
    private LiveFeed? _feed;

    [Inject]
    protected IEventNotifier Notifier { get; set; } = default!;

    [Inject]
    protected TimeProvider Time { get; set; } = default!;

    [Inject]
    protected ReconnectSignal Reconnect { get; set; } = default!;

    [Inject]
    private ILoggerFactory LoggerFactory { get; set; } = default!;

    /// <summary>Logs a failed query and returns what the page shows instead of the exception's text (<see cref="PageErrors"/>).</summary>
    protected string Failure(Exception exception, string view = "view") =>
        PageErrors.Describe(LoggerFactory.CreateLogger(GetType()), exception, view);

    /// <summary>Which committed events concern this page (all by default).</summary>
    protected virtual bool IsRelevant(FactoryEvent e) => true;

    /// <summary>Applies an update; implementations re-query what they show and the base re-renders.</summary>
    protected abstract Task OnLiveAsync(LiveBatch batch);

    protected override void OnInitialized()
    {
        // A prerendered page is thrown away at the end of the request: only the interactive one listens.
        if (RendererInfo.IsInteractive)
        {
            _feed = new LiveFeed(Notifier, Time, batch => InvokeAsync(async () =>
            {
                await OnLiveAsync(batch);
                StateHasChanged();
            }), IsRelevant);
            Reconnect.Reconnected += OnReconnected;
        }
    }

    private void OnReconnected() => _feed?.RequestCatchUp();

    /// <summary>Asks for a coalesced refresh (a <see cref="LiveBatch"/> with <c>CatchUp</c>) for a change that is not a stored event.</summary>
    protected void RequestRefresh() => _feed?.RequestCatchUp();

    public async ValueTask DisposeAsync()
    {
        Reconnect.Reconnected -= OnReconnected;
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }

        await DisposeAsyncCore();
        GC.SuppressFinalize(this);
    }

    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;
}
