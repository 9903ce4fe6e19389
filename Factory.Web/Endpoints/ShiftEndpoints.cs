using System.Globalization;
using Factory.Core.Shifts;
using Factory.Core.Time;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Factory.Web.Endpoints;

/// <summary>The shift calendar: read by viewers, replaced by admins. Times are local wall-clock "HH:mm" of the factory's time zone.</summary>
public static class ShiftEndpoints
{
    public static void MapShiftReads(this RouteGroupBuilder viewer)
    {
        viewer.MapGet("/shifts", GetShifts)
            .WithName("GetShiftCalendar")
            .WithSummary("The shift calendar (shifts and planned breaks in local time) and the shift in progress");
    }

    public static void MapShiftAdmin(this RouteGroupBuilder admin)
    {
        admin.MapPut("/admin/shifts", PutShifts)
            .WithName("ReplaceShiftCalendar")
            .WithSummary("Replace the shift calendar (at most 12 shifts of at most 8 breaks; breaks inside their shift, not overlapping)");
    }

    internal static async Task<Ok<ShiftCalendarDto>> GetShifts(
        ShiftCalendarStore store, TimeProvider time, IOptions<FactoryOptions> factory, CancellationToken ct) =>
        TypedResults.Ok(await DescribeAsync(store, time, factory.Value, ct));

    internal static async Task<Results<Ok<ShiftCalendarDto>, ValidationProblem>> PutShifts(
        [FromBody] ShiftCalendarInput? input, ShiftCalendarStore store, TimeProvider time, IOptions<FactoryOptions> factory, CancellationToken ct)
    {
        var (calendar, errors) = ShiftCalendarInput.Parse(input);
        if (calendar is not null)
        {
            errors.AddRange(await store.SaveAsync(calendar, ct));
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(
                errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                detail: "Invalid shift calendar: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
        }

        return TypedResults.Ok(await DescribeAsync(store, time, factory.Value, ct));
    }

    /// <summary>The stored calendar as the API shows it; <c>enabled</c> is false when configuration or the stored flag switches it off.</summary>
    public static async Task<ShiftCalendarDto> DescribeAsync(ShiftCalendarStore store, TimeProvider time, FactoryOptions factory, CancellationToken ct)
    {
        var stored = await store.GetStoredAsync(ct);
        var effective = await store.GetAsync(ct);
        var current = effective.At(time.GetUtcNow().UtcDateTime, factory.Zone);
        return new ShiftCalendarDto(
            effective.Enabled,
            factory.TimeZone,
            stored.Shifts.Select(s => new ShiftDto(s.Name, Clock(s.Start), Clock(s.End),
                s.Breaks.Select(b => new BreakDto(b.Name, Clock(b.Start), Clock(b.End))).ToList())).ToList(),
            current is null ? null : new CurrentShiftDto(current.Shift, current.Date, current.Start, current.End));
    }

    public static string Clock(TimeOnly time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);
}

/// <summary>The shift calendar as served by <c>GET /api/shifts</c>.</summary>
public sealed record ShiftCalendarDto(bool Enabled, string TimeZone, IReadOnlyList<ShiftDto> Shifts, CurrentShiftDto? Current);

/// <summary>A shift in local wall-clock time; an end at or before the start is on the next day.</summary>
public sealed record ShiftDto(string Name, string Start, string End, IReadOnlyList<BreakDto> Breaks);

/// <summary>A planned break in local wall-clock time.</summary>
public sealed record BreakDto(string Name, string Start, string End);

/// <summary>The occurrence in progress: the shift, the local date it started on and its UTC bounds.</summary>
public sealed record CurrentShiftDto(string Shift, DateOnly Date, DateTime StartTime, DateTime EndTime);

/// <summary>The body of <c>PUT /api/admin/shifts</c>.</summary>
public sealed record ShiftCalendarInput(bool? Enabled, List<ShiftInput?>? Shifts)
{
    /// <summary>Reads the body into a calendar, or lists what is malformed (field, message) and returns no calendar.</summary>
    public static (ShiftCalendar? Calendar, List<(string Field, string Message)> Errors) Parse(ShiftCalendarInput? input)
    {
        var errors = new List<(string Field, string Message)>();
        if (input is null)
        {
            errors.Add(("body", "A JSON object { enabled, shifts: [...] } is required."));
            return (null, errors);
        }

        if (input.Enabled is null)
        {
            errors.Add(("enabled", "Required: true or false."));
        }

        if (input.Shifts is null)
        {
            errors.Add(("shifts", "Required: a list of shifts (it may be empty)."));
            return (null, errors);
        }

        if (input.Shifts.Count > ShiftCalendarStore.MaxShifts)
        {
            errors.Add(("shifts", $"At most {ShiftCalendarStore.MaxShifts} shifts (given {input.Shifts.Count})."));
            return (null, errors);
        }

        var shifts = new List<ShiftDefinition>();
        for (var i = 0; i < input.Shifts.Count; i++)
        {
            var field = $"shifts[{i}]";
            if (input.Shifts[i] is not { } shift)
            {
                errors.Add((field, "Must be an object { name, start, end, breaks }."));
                continue;
            }

            var start = Time($"{field}.start", shift.Start, errors);
            var end = Time($"{field}.end", shift.End, errors);
            var breaks = new List<PlannedBreak>();
            var given = shift.Breaks ?? [];
            if (given.Count > ShiftCalendarStore.MaxBreaks)
            {
                errors.Add(($"{field}.breaks", $"At most {ShiftCalendarStore.MaxBreaks} breaks per shift (given {given.Count})."));
                continue;
            }

            for (var j = 0; j < given.Count; j++)
            {
                var breakField = $"{field}.breaks[{j}]";
                if (given[j] is not { } pause)
                {
                    errors.Add((breakField, "Must be an object { name, start, end }."));
                    continue;
                }

                var breakStart = Time($"{breakField}.start", pause.Start, errors);
                var breakEnd = Time($"{breakField}.end", pause.End, errors);
                if (breakStart is { } bs && breakEnd is { } be)
                {
                    breaks.Add(new PlannedBreak(pause.Name?.Trim() ?? "", bs, be));
                }
            }

            if (start is { } s && end is { } e)
            {
                shifts.Add(new ShiftDefinition(shift.Name?.Trim() ?? "", s, e, breaks));
            }
        }

        return errors.Count > 0 ? (null, errors) : (new ShiftCalendar(input.Enabled!.Value, shifts), errors);
    }

    /// <summary>A wall-clock time written exactly as "HH:mm" (00:00 to 23:59).</summary>
    private static TimeOnly? Time(string field, string? value, List<(string Field, string Message)> errors)
    {
        if (value is not null && value.Length == 5
            && TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return time;
        }

        errors.Add((field, value is null ? "Required: a local time \"HH:mm\"." : $"'{value}' is not a local time \"HH:mm\" (00:00 to 23:59)."));
        return null;
    }
}

/// <summary>A shift in the body of <c>PUT /api/admin/shifts</c>.</summary>
public sealed record ShiftInput(string? Name, string? Start, string? End, List<BreakInput?>? Breaks);

/// <summary>A break in the body of <c>PUT /api/admin/shifts</c>.</summary>
public sealed record BreakInput(string? Name, string? Start, string? End);
