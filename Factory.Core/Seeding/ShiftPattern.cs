namespace Factory.Core.Seeding;

/// <summary>
/// When a shift starts (local wall-clock time), how long it lasts and when its break is.
/// Durations are elapsed time, so a shift that spans a daylight-saving change still lasts its length.
/// </summary>
public sealed record ShiftPattern(string Name, TimeOnly Start, TimeSpan Length, TimeSpan BreakAfter, TimeSpan BreakLength)
{
    /// <summary>06:00–14:00 with the 45-minute lunch at 13:00.</summary>
    public static ShiftPattern Morning { get; } = new("morning", new TimeOnly(6, 0), TimeSpan.FromHours(8), TimeSpan.FromHours(7), TimeSpan.FromMinutes(45));

    /// <summary>14:00–22:00 with a 30-minute meal break at 18:00.</summary>
    public static ShiftPattern Evening { get; } = new("evening", new TimeOnly(14, 0), TimeSpan.FromHours(8), TimeSpan.FromHours(4), TimeSpan.FromMinutes(30));

    /// <summary>22:00–06:00 with a 30-minute meal break at 02:00.</summary>
    public static ShiftPattern Night { get; } = new("night", new TimeOnly(22, 0), TimeSpan.FromHours(8), TimeSpan.FromHours(4), TimeSpan.FromMinutes(30));

    /// <summary>The pattern for a registry shift name; unknown names work the morning shift.</summary>
    public static ShiftPattern ForShift(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "evening" or "afternoon" or "late" => Evening,
        "night" => Night,
        _ => Morning,
    };
}
