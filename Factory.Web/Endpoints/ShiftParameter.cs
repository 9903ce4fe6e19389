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

        var shift = calendar.Enabled ? calendar.Find(text) : null;
        if (shift is null)
        {
            // The metrics reads' own wording, so an export and its API answer a bad shift alike.
            query.Add(name, UnknownShiftException.Describe(text, calendar));
        }

        return shift;
    }
}
