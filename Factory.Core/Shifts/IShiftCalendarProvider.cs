namespace Factory.Core.Shifts;

/// <summary>Reads the plant's current shift calendar (<see cref="ShiftCalendar.Off"/> when calendars are switched off).</summary>
public interface IShiftCalendarProvider
{
    ValueTask<ShiftCalendar> GetAsync(CancellationToken ct = default);
}

/// <summary>A calendar that never changes (tests, tools, and hosts without a database).</summary>
public sealed class FixedShiftCalendarProvider(ShiftCalendar calendar) : IShiftCalendarProvider
{
    public ValueTask<ShiftCalendar> GetAsync(CancellationToken ct = default) => ValueTask.FromResult(calendar);
}
