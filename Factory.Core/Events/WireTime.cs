using System.Globalization;
using System.Text.RegularExpressions;

namespace Factory.Core.Events;

/// <summary>
/// Strict ISO-8601 instants as cameras and query strings send them: an explicit offset is required,
/// because guessing a zone silently is the classic bug of this kind of system.
/// </summary>
public static partial class WireTime
{
    public const string Expected = "an ISO-8601 date-time with an offset, e.g. 2026-01-21T14:30:00Z or 2026-01-21T16:30:00+02:00";

    [GeneratedRegex(@"^(?<date>\d{4}-\d{2}-\d{2})[Tt ](?<time>\d{2}:\d{2}(:\d{2})?)(?:[.,](?<frac>\d{1,9}))?(?<offset>[Zz]|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2})?([.,]\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex NaivePattern();

    /// <summary>Parses an instant; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? text, out DateTime utc, out string? error)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"Must be {Expected}.";
            return false;
        }

        if (TryParseUtc(text, out utc))
        {
            error = null;
            return true;
        }

        if (text.Length > 40)
        {
            error = $"Is too long to be a timestamp; must be {Expected}.";
            return false;
        }

        var match = Pattern().Match(text);
        if (!match.Success)
        {
            error = NaivePattern().IsMatch(text)
                ? $"Has no time-zone offset; add 'Z' for UTC or an offset such as +02:00 ({Expected})."
                : $"'{text}' is not {Expected}.";
            return false;
        }

        var time = match.Groups["time"].Value;
        if (time.Length == 5)
        {
            time += ":00";
        }

        var offset = match.Groups["offset"].Value;
        if (offset is "Z" or "z")
        {
            offset = "+00:00";
        }
        else if (offset.Length == 5)
        {
            offset = offset[..3] + ":" + offset[3..];
        }

        var canonical = $"{match.Groups["date"].Value}T{time}{offset}";
        if (!DateTimeOffset.TryParseExact(canonical, "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            error = $"'{text}' is not a valid date and time (check the month, day, hour and offset).";
            return false;
        }

        long fractionTicks = 0;
        var frac = match.Groups["frac"];
        if (frac.Success)
        {
            // Up to nanoseconds are accepted; instants are kept to the microsecond (what PostgreSQL stores),
            // so both engines see the same dedup key.
            var digits = frac.Value.Length > 6 ? frac.Value[..6] : frac.Value.PadRight(6, '0');
            fractionTicks = long.Parse(digits, CultureInfo.InvariantCulture) * 10;
        }

        utc = value.UtcDateTime.AddTicks(fractionTicks);
        error = null;
        return true;
    }

    /// <summary>
    /// The shape nearly every camera sends, <c>yyyy-MM-ddTHH:mm:ss[.fraction]Z</c> (or <c>+00:00</c>) with ASCII digits, read without
    /// the regular expression and the culture-aware exact parse (together they cost as much CPU as storing the event).
    /// Anything else, including every invalid value, returns false and takes the general path, which accepts or
    /// rejects it (with its message) exactly as before.
    /// </summary>
    private static bool TryParseUtc(string text, out DateTime utc)
    {
        utc = default;
        var s = text.AsSpan();
        // A UTC designator of 'Z' or "+00:00" (what the camera JSON writer emits for UTC instants).
        var designator = s.EndsWith("+00:00") ? 6 : s.Length > 0 && s[^1] == 'Z' ? 1 : 0;
        if (designator == 0 || s.Length - designator is < 19 or > 29 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':'
            || !Digits(s.Slice(0, 4), out var year) || !Digits(s.Slice(5, 2), out var month) || !Digits(s.Slice(8, 2), out var day)
            || !Digits(s.Slice(11, 2), out var hour) || !Digits(s.Slice(14, 2), out var minute) || !Digits(s.Slice(17, 2), out var second))
        {
            return false;
        }

        long microseconds = 0;
        var rest = s[19..^designator];
        if (rest.Length > 0)
        {
            var fraction = rest[1..];
            if (rest[0] is not ('.' or ',') || fraction.Length is < 1 or > 9 || !Digits(fraction, out _))
            {
                return false;
            }

            // Kept to the microsecond, as on the general path.
            for (var i = 0; i < 6; i++)
            {
                microseconds = microseconds * 10 + (i < fraction.Length ? fraction[i] - '0' : 0);
            }
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        utc = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(microseconds * 10);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> span, out int value)
    {
        value = 0;
        foreach (var c in span)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            // Only called with at most 4 digits for a value, or to check a fraction (whose value is not used).
            value = unchecked(value * 10 + (c - '0'));
        }

        return true;
    }

    /// <summary>Drops sub-microsecond ticks, the precision every engine stores.</summary>
    public static DateTime ToMicroseconds(DateTime utc) => new(utc.Ticks - (utc.Ticks % 10), DateTimeKind.Utc);

    /// <summary>Formats an instant as UTC ISO-8601 with a Z.</summary>
    public static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
