using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Factory.Web.Dashboard;

/// <summary>
/// Per-circuit signal raised when the browser reconnects after a lost connection, so live components
/// re-query what they show (catch-up) instead of trusting whatever was pushed while the link was down.
/// </summary>
public sealed class ReconnectSignal : CircuitHandler
{
    private bool _wasDown;

    public event Action? Reconnected;

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        _wasDown = true;
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (_wasDown)
        {
            _wasDown = false;
            Reconnected?.Invoke();
        }

        return Task.CompletedTask;
    }
}
