using System.Globalization;
using Factory.Core.Shifts;
using Factory.Core.Time;
using Microsoft.Extensions.Options;

namespace Factory.Web.Dashboard;

/// <summary>The factory's wall clock: converts stored UTC instants to the plant's time zone for display and day boundaries.</summary>
public sealed class FactoryClock(TimeProvider time, IOptions<FactoryOptions> options, IShiftCalendarProvider? shifts = null)
{
    private volatile ShiftCalendar _shifts = ShiftCalendar.Off;

    /// <summary>The plant's shift calendar as last read by <see cref="RefreshShiftsAsync"/> (off until then).</summary>
    public ShiftCalendar Shifts => _shifts;

    /// <summary>Reads the current calendar (cached by its provider) so that <see cref="Shifts"/> is up to date.</summary>
    public async Task<ShiftCalendar> RefreshShiftsAsync(CancellationToken ct = default)
    {
        if (shifts is not null)
        {
            _shifts = await shifts.GetAsync(ct);
        }

        return _shifts;
    }

    /// <summary>The shift occurrence in progress now, or null when calendars are off or no shift is in progress.</summary>
    public ShiftOccurrence? CurrentShift => _shifts.Enabled ? _shifts.At(UtcNow, Zone) : null;

    public TimeZoneInfo Zone { get; } = options.Value.Zone;

    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;

    public DateTimeOffset LocalNow => ToLocal(UtcNow);

    /// <summary>The zone's short label for headers, e.g. <c>Europe/Berlin</c>.</summary>
    public string ZoneName => Zone.Id;

    public DateTimeOffset ToLocal(DateTime utc) => WallClock.ToLocalOffset(utc, Zone);

    /// <summary>
    /// The UTC instant of a local wall-clock time. A time skipped by a daylight-saving jump moves forward
    /// to the first valid minute; a repeated one takes its first occurrence.
    /// </summary>
    public DateTime LocalToUtc(DateTime local) => WallClock.ToUtc(local, Zone);

    /// <summary>Local midnight of today, in UTC.</summary>
    public DateTime StartOfTodayUtc => LocalToUtc(LocalNow.Date);

    public string Time(DateTime utc) => ToLocal(utc).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    public string ShortTime(DateTime utc) => ToLocal(utc).ToString("HH:mm", CultureInfo.InvariantCulture);

    public string DateTimeText(DateTime utc) => ToLocal(utc).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
