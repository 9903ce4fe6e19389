using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Factory.Web.Dashboard;

/// <summary>Counts connected dashboards (open Blazor circuits) for <c>/metrics</c>.</summary>
public sealed class DashboardConnections : IDisposable
{
    public const string MeterName = "Factory.Dashboard";

    private readonly Meter _meter;
    private int _connected;

    public DashboardConnections()
    {
        _meter = new Meter(MeterName);
        _meter.CreateObservableGauge("connected", () => Connected, "dashboards", "Dashboards with a live connection to this instance");
    }

    public int Connected => Volatile.Read(ref _connected);

    internal void Up() => Interlocked.Increment(ref _connected);

    internal void Down() => Interlocked.Decrement(ref _connected);

    public void Dispose() => _meter.Dispose();
}

/// <summary>Per-circuit hook that keeps <see cref="DashboardConnections"/> current.</summary>
internal sealed class DashboardConnectionCounter(DashboardConnections connections) : CircuitHandler
{
    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        connections.Up();
        return Task.CompletedTask;
    }

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        connections.Down();
        return Task.CompletedTask;
    }
}
