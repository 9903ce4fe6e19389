using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Factory.Core.Shifts;

/// <summary>The calendar's switch as stored (one row, id 1).</summary>
public sealed class ShiftCalendarSettings
{
    public int Id { get; set; }
    public bool Enabled { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>A stored shift; <see cref="Position"/> (0-based) is its key and its place in the calendar. Times are minutes after local midnight.</summary>
public sealed class StoredShift
{
    public int Position { get; set; }
    public required string Name { get; set; }
    public int StartMinute { get; set; }
    public int EndMinute { get; set; }
    public List<StoredBreak> Breaks { get; set; } = [];
}

/// <summary>A stored planned break of the shift at <see cref="ShiftPosition"/>.</summary>
public sealed class StoredBreak
{
    public int ShiftPosition { get; set; }
    public int Position { get; set; }
    public required string Name { get; set; }
    public int StartMinute { get; set; }
    public int EndMinute { get; set; }
}

/// <summary>Maps the stored rows to and from a <see cref="ShiftCalendar"/>; the seed is <see cref="ShiftCalendar.Default"/>.</summary>
public static class StoredShiftCalendar
{
    public static readonly DateTime SeededAt = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static ShiftCalendar ToCalendar(bool enabled, IEnumerable<StoredShift> shifts) => new(enabled,
        shifts.OrderBy(s => s.Position)
            .Select(s => new ShiftDefinition(s.Name, Time(s.StartMinute), Time(s.EndMinute),
                s.Breaks.OrderBy(b => b.Position).Select(b => new PlannedBreak(b.Name, Time(b.StartMinute), Time(b.EndMinute))).ToList()))
            .ToList());

    public static List<StoredShift> FromCalendar(ShiftCalendar calendar) =>
        calendar.Shifts.Select((s, i) => new StoredShift
        {
            Position = i,
            Name = s.Name.Trim(),
            StartMinute = Minute(s.Start),
            EndMinute = Minute(s.End),
            Breaks = s.Breaks.Select((b, j) => new StoredBreak
            {
                ShiftPosition = i,
                Position = j,
                Name = b.Name.Trim(),
                StartMinute = Minute(b.Start),
                EndMinute = Minute(b.End),
            }).ToList(),
        }).ToList();

    private static TimeOnly Time(int minute) => new(minute / 60 % 24, minute % 60);

    private static int Minute(TimeOnly time) => time.Hour * 60 + time.Minute;
}

internal sealed class ShiftCalendarSettingsConfiguration : IEntityTypeConfiguration<ShiftCalendarSettings>
{
    public void Configure(EntityTypeBuilder<ShiftCalendarSettings> e)
    {
        e.ToTable("shift_calendar");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id").ValueGeneratedNever();
        e.Property(x => x.Enabled).HasColumnName("enabled");
        e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        e.HasData(new ShiftCalendarSettings { Id = 1, Enabled = ShiftCalendar.Default.Enabled, UpdatedAt = StoredShiftCalendar.SeededAt });
    }
}

internal sealed class StoredShiftConfiguration : IEntityTypeConfiguration<StoredShift>
{
    public void Configure(EntityTypeBuilder<StoredShift> e)
    {
        e.ToTable("shifts");
        e.HasKey(x => x.Position);
        e.Property(x => x.Position).HasColumnName("position").ValueGeneratedNever();
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(64);
        e.Property(x => x.StartMinute).HasColumnName("start_minute");
        e.Property(x => x.EndMinute).HasColumnName("end_minute");
        e.HasMany(x => x.Breaks).WithOne().HasForeignKey(b => b.ShiftPosition).OnDelete(DeleteBehavior.Cascade);
        e.HasData(StoredShiftCalendar.FromCalendar(ShiftCalendar.Default).Select(s => new { s.Position, s.Name, s.StartMinute, s.EndMinute }));
    }
}

internal sealed class StoredBreakConfiguration : IEntityTypeConfiguration<StoredBreak>
{
    public void Configure(EntityTypeBuilder<StoredBreak> e)
    {
        e.ToTable("shift_breaks");
        e.HasKey(x => new { x.ShiftPosition, x.Position });
        e.Property(x => x.ShiftPosition).HasColumnName("shift_position").ValueGeneratedNever();
        e.Property(x => x.Position).HasColumnName("position").ValueGeneratedNever();
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(64);
        e.Property(x => x.StartMinute).HasColumnName("start_minute");
        e.Property(x => x.EndMinute).HasColumnName("end_minute");
        e.HasData(StoredShiftCalendar.FromCalendar(ShiftCalendar.Default).SelectMany(s => s.Breaks)
            .Select(b => new { b.ShiftPosition, b.Position, b.Name, b.StartMinute, b.EndMinute }));
    }
}
