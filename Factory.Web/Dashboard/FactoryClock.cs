using System.Globalization;
using Factory.Core.Time;
using Microsoft.Extensions.Options;

namespace Factory.Web.Dashboard;

/// <summary>The factory's wall clock: converts stored UTC instants to the plant's time zone for display and day boundaries.</summary>
public sealed class FactoryClock(TimeProvider time, IOptions<FactoryOptions> options)
{
    public TimeZoneInfo Zone { get; } = options.Value.Zone;

    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;

    public DateTimeOffset LocalNow => ToLocal(UtcNow);

    /// <summary>The zone's short label for headers, e.g. <c>Europe/Berlin</c>.</summary>
    public string ZoneName => Zone.Id;

    public DateTimeOffset ToLocal(DateTime utc) =>
        TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), Zone);

    /// <summary>
    /// The UTC instant of a local wall-clock time. A time skipped by a daylight-saving jump moves forward
    /// to the first valid minute; a repeated one takes its first occurrence.
    /// </summary>
    public DateTime LocalToUtc(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var guard = 0;
        while (Zone.IsInvalidTime(local) && guard++ < 180)
        {
            local = local.AddMinutes(1);
        }

        if (Zone.IsAmbiguousTime(local))
        {
            var offset = Zone.GetAmbiguousTimeOffsets(local).Max();
            return new DateTimeOffset(local, offset).UtcDateTime;
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, Zone);
    }

    /// <summary>Local midnight of today, in UTC.</summary>
    public DateTime StartOfTodayUtc => LocalToUtc(LocalNow.Date);

    public string Time(DateTime utc) => ToLocal(utc).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    public string ShortTime(DateTime utc) => ToLocal(utc).ToString("HH:mm", CultureInfo.InvariantCulture);

    public string DateTimeText(DateTime utc) => ToLocal(utc).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
