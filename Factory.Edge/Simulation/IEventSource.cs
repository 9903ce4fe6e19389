using Factory.Edge.Events;

namespace Factory.Edge.Simulation;

/// <summary>Where the simulated cameras' observations come from; swap in another generator to change the data.</summary>
public interface IEventSource
{
    /// <summary>The events observed since the previous call and up to <paramref name="now"/>, oldest first.</summary>
    IReadOnlyList<EdgeEvent> Poll(DateTimeOffset now);
}
