using Factory.Core.Shifts;

namespace Factory.Web.Endpoints;

/// <summary>Reads the <c>shift</c> query parameter against the plant's calendar.</summary>
internal static class ShiftParameter
{
    /// <summary>
    /// The shift named by <paramref name="value"/>, or null when none is asked for. An unknown name (or any name while
    /// the calendar is off) is an error on <paramref name="query"/> that lists the shifts one may choose.
    /// </summary>
    public static ShiftDefinition? Parse(QueryParameters query, string name, string? value, ShiftCalendar calendar)
    {
        var text = query.Text(name, value);
        if (text is null)
        {
            return null;
        }

        if (!calendar.Enabled || calendar.Shifts.Count == 0)
        {
            query.Add(name, "Shift calendars are switched off, so no shift can be selected.");
            return null;
        }

        var shift = calendar.Find(text);
        if (shift is null)
        {
            query.Add(name, $"Unknown shift '{text}'; the calendar's shifts are: {string.Join(", ", calendar.Shifts.Select(s => s.Name))}.");
        }

        return shift;
    }
}
