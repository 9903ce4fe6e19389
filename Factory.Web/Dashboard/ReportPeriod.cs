using System.Globalization;
using Factory.Core.Events;
using Factory.Core.Shifts;

namespace Factory.Web.Dashboard;

/// <summary>
/// What a daily report covers: one local day of the plant (23, 24 or 25 hours around daylight-saving changes) or
/// one occurrence of a shift that starts on that day, as UTC bounds <c>[Start, End)</c>.
/// </summary>
public sealed record ReportPeriod(DateOnly Date, string? Shift, DateTime Start, DateTime End)
{
    private const string DateFormat = "yyyy-MM-dd";

    /// <summary>Local midnight to the next local midnight.</summary>
    public static ReportPeriod Day(DateOnly date, TimeZoneInfo zone) =>
        new(date, null, ShiftCalendar.ToUtc(date, TimeOnly.MinValue, zone), ShiftCalendar.ToUtc(date.AddDays(1), TimeOnly.MinValue, zone));

    /// <summary>The occurrence of <paramref name="shift"/> that starts on <paramref name="date"/>.</summary>
    public static ReportPeriod Of(ShiftDefinition shift, DateOnly date, TimeZoneInfo zone)
    {
        var occurrence = ShiftCalendar.Occurrence(shift, date, zone);
        return new ReportPeriod(date, shift.Name, occurrence.Start, occurrence.End);
    }

    /// <summary>Reads a <c>yyyy-MM-dd</c> date from the URL.</summary>
    public static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static string FormatDate(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    public TimeSpan Length => End - Start;

    /// <summary>The report page of another day (or shift) in the same shape.</summary>
    public static string PageUrl(DateOnly date, string? shift) =>
        $"/reports/daily?date={FormatDate(date)}" + (shift is null ? "" : $"&shift={Uri.EscapeDataString(shift)}");

    /// <summary>
    /// The query of the CSV exports for this period as of <paramref name="asOf"/>, so that the download holds exactly
    /// the figures on the page.
    /// </summary>
    public string ExportQuery(DateTime asOf, bool perShift = false) =>
        $"start_time={WireTime.Format(Start)}&end_time={WireTime.Format(End)}&as_of={WireTime.Format(asOf)}"
        + (Shift is null ? "" : $"&shift={Uri.EscapeDataString(Shift)}")
        + (perShift ? "&per_shift=true" : "");
}
