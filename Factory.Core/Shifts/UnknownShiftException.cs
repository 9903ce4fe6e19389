namespace Factory.Core.Shifts;

/// <summary>A metrics query named a shift the calendar does not have, or any shift while calendars are switched off.</summary>
public sealed class UnknownShiftException : ArgumentException
{
    public UnknownShiftException(string shift, ShiftCalendar calendar)
        : base(Describe(shift, calendar), nameof(shift))
    {
        Shift = shift;
        KnownShifts = calendar.Enabled ? calendar.Shifts.Select(s => s.Name).ToList() : [];
    }

    public string Shift { get; }

    /// <summary>The shifts of the calendar (empty when calendars are switched off).</summary>
    public IReadOnlyList<string> KnownShifts { get; }

    /// <summary>The message a client sees: the known shifts, or that calendars are off.</summary>
    public static string Describe(string shift, ShiftCalendar calendar) =>
        !calendar.Enabled
            ? "Shift calendars are switched off, so no shift can be selected."
            : $"Unknown shift '{shift}'; the calendar's shifts are: {string.Join(", ", calendar.Shifts.Select(s => s.Name))}.";
}
