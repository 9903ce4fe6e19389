using Factory.Core.Events;

namespace Factory.Core.Seeding;

/// <summary>
/// One event of the demo stream. <see cref="Delay"/> is how long after <see cref="Timestamp"/> a camera
/// gets it to the server: zero for most, a few minutes for the occasional late event. A live simulator
/// posts each event at <see cref="EmitAt"/>; bulk seeding posts everything at once and ignores it.
/// </summary>
public sealed record GeneratedEvent(NewEvent Event, TimeSpan Delay)
{
    public DateTime Timestamp => Event.Timestamp;

    /// <summary>When a live camera would send it.</summary>
    public DateTime EmitAt => Event.Timestamp + Delay;

    public bool IsLate => Delay > TimeSpan.Zero;
}
