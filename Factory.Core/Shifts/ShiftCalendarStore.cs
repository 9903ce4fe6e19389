using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Core.Shifts;

/// <summary>
/// The admin-editable calendar stored in the database, cached in memory like the registry.
/// A save on this instance replaces the cache at once. Other instances of a scale-out deployment do not
/// hear of the save (the Redis relay carries events, not settings): they re-read the calendar when their
/// copy is older than <see cref="CacheFor"/>, so for that long they may compute with the previous calendar.
/// </summary>
public sealed class ShiftCalendarStore(IServiceScopeFactory scopes, IOptions<ShiftOptions> options, TimeProvider time) : IShiftCalendarProvider
{
    /// <summary>How long a cached calendar is used before it is read again.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    /// <summary>At most this many shifts in a calendar.</summary>
    public const int MaxShifts = 12;

    /// <summary>At most this many breaks per shift.</summary>
    public const int MaxBreaks = 8;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile Cached? _cached;

    /// <summary>False when configuration (<c>Shifts:Enabled</c>) switches calendars off, whatever is stored.</summary>
    public bool SwitchedOnByConfiguration => options.Value.Enabled;

    /// <summary>The calendar metrics use: <see cref="ShiftCalendar.Off"/> when switched off by configuration or by the stored flag.</summary>
    public async ValueTask<ShiftCalendar> GetAsync(CancellationToken ct = default)
    {
        if (!options.Value.Enabled)
        {
            return ShiftCalendar.Off;
        }

        var stored = await GetStoredAsync(ct);
        return stored.Enabled ? stored : ShiftCalendar.Off;
    }

    /// <summary>The calendar as stored, with its own enabled flag (what the admin edits).</summary>
    public async ValueTask<ShiftCalendar> GetStoredAsync(CancellationToken ct = default)
    {
        if (_cached is { } cached && Environment.TickCount64 - cached.LoadedAt < (long)CacheFor.TotalMilliseconds)
        {
            return cached.Calendar;
        }

        await _lock.WaitAsync(ct);
        try
        {
            if (_cached is { } again && Environment.TickCount64 - again.LoadedAt < (long)CacheFor.TotalMilliseconds)
            {
                return again.Calendar;
            }

            var calendar = await LoadAsync(ct);
            _cached = new Cached(calendar, Environment.TickCount64);
            return calendar;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Replaces the stored calendar when <see cref="ShiftCalendar.Validate"/> and the size limits accept it;
    /// returns the problems (field, message) otherwise, and then stores nothing.
    /// </summary>
    public async Task<IReadOnlyList<(string Field, string Message)>> SaveAsync(ShiftCalendar calendar, CancellationToken ct = default)
    {
        var errors = Check(calendar);
        if (errors.Count > 0)
        {
            return errors;
        }

        await _lock.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.ShiftBreaks.ExecuteDeleteAsync(ct);
            await db.Shifts.ExecuteDeleteAsync(ct);
            db.Shifts.AddRange(StoredShiftCalendar.FromCalendar(calendar));
            var settings = await db.ShiftCalendarSettings.FirstOrDefaultAsync(s => s.Id == 1, ct);
            if (settings is null)
            {
                db.ShiftCalendarSettings.Add(settings = new ShiftCalendarSettings { Id = 1 });
            }

            settings.Enabled = calendar.Enabled;
            settings.UpdatedAt = time.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            _cached = null;
        }
        finally
        {
            _lock.Release();
        }

        return [];
    }

    /// <summary>The calendar's own rules plus the size limits.</summary>
    public static List<(string Field, string Message)> Check(ShiftCalendar calendar)
    {
        var errors = new List<(string Field, string Message)>();
        if (calendar.Shifts.Count > MaxShifts)
        {
            errors.Add(("shifts", $"At most {MaxShifts} shifts (given {calendar.Shifts.Count})."));
        }

        for (var i = 0; i < calendar.Shifts.Count; i++)
        {
            if (calendar.Shifts[i].Breaks.Count > MaxBreaks)
            {
                errors.Add(($"shifts[{i}].breaks", $"At most {MaxBreaks} breaks per shift (given {calendar.Shifts[i].Breaks.Count})."));
            }

            for (var j = 0; j < calendar.Shifts[i].Breaks.Count; j++)
            {
                var name = calendar.Shifts[i].Breaks[j].Name;
                if (string.IsNullOrWhiteSpace(name) || name.Length > 64)
                {
                    errors.Add(($"shifts[{i}].breaks[{j}].name", "A break needs a name of 1 to 64 characters."));
                }
            }
        }

        errors.AddRange(calendar.Validate());
        return errors;
    }

    private async Task<ShiftCalendar> LoadAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var settings = await db.ShiftCalendarSettings.AsNoTracking().FirstOrDefaultAsync(s => s.Id == 1, ct);
        var shifts = await db.Shifts.AsNoTracking().Include(s => s.Breaks).ToListAsync(ct);
        return StoredShiftCalendar.ToCalendar(settings?.Enabled ?? false, shifts);
    }

    private sealed record Cached(ShiftCalendar Calendar, long LoadedAt);
}
