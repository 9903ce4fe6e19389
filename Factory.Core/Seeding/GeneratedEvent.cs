using Factory.Core.Events;

namespace Factory.Core.Seeding;

/// <summary>
/// One event of the demo stream. <see cref="Delay"/> is how long after <see cref="Timestamp"/> a camera
/// gets it to the server: a network lag of well under a second for most, a few minutes for the occasional
/// late event. A live simulator posts each event at <see cref="EmitAt"/>; bulk seeding stores it as
/// received then (at the seeding time at the latest).
/// </summary>
public sealed record GeneratedEvent(NewEvent Event, TimeSpan Delay)
{
    public DateTime Timestamp => Event.Timestamp;

    /// <summary>When a live camera would send it.</summary>
    public DateTime EmitAt => Event.Timestamp + Delay;

    /// <summary>Late as the demo means it: minutes, not the network's fraction of a second.</summary>
    public bool IsLate => Delay >= TimeSpan.FromMinutes(1);
}
