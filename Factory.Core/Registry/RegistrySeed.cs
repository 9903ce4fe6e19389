namespace Factory.Core.Registry;

/// <summary>The registry every installation starts with (W1–W6, S1–S6).</summary>
public static class RegistrySeed
{
    private static readonly DateTime Created = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public static IReadOnlyList<Worker> Workers { get; } =
    [
        new() { Id = "W1", Name = "Amara Okafor", Shift = "morning", Department = "assembly", CreatedAt = Created },
        new() { Id = "W2", Name = "Lukas Brenner", Shift = "morning", Department = "assembly", CreatedAt = Created },
        new() { Id = "W3", Name = "Priya Raman", Shift = "morning", Department = "inspection", CreatedAt = Created },
        new() { Id = "W4", Name = "Diego Alvarez", Shift = "evening", Department = "inspection", CreatedAt = Created },
        new() { Id = "W5", Name = "Mei Tanaka", Shift = "evening", Department = "packaging", CreatedAt = Created },
        new() { Id = "W6", Name = "Jonas Lindqvist", Shift = "night", Department = "packaging", CreatedAt = Created },
    ];

    public static IReadOnlyList<Workstation> Workstations { get; } =
    [
        new() { Id = "S1", Name = "Assembly Line A", Location = "Hall 1, Bay 1", Type = "assembly", CreatedAt = Created },
        new() { Id = "S2", Name = "Assembly Line B", Location = "Hall 1, Bay 2", Type = "assembly", CreatedAt = Created },
        new() { Id = "S3", Name = "Quality Inspection 1", Location = "Hall 1, Bay 3", Type = "inspection", CreatedAt = Created },
        new() { Id = "S4", Name = "Quality Inspection 2", Location = "Hall 2, Bay 1", Type = "inspection", CreatedAt = Created },
        new() { Id = "S5", Name = "Packaging Station 1", Location = "Hall 2, Bay 2", Type = "packaging", CreatedAt = Created },
        new() { Id = "S6", Name = "Packaging Station 2", Location = "Hall 2, Bay 3", Type = "packaging", CreatedAt = Created },
    ];
}
