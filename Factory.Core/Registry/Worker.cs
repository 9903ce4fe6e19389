namespace Factory.Core.Registry;

/// <summary>What workers and workstations share: an immutable id and a display name.</summary>
public interface IRegistryEntry
{
    string Id { get; }
    string Name { get; set; }
}

/// <summary>A person tracked by the cameras.</summary>
public sealed class Worker : IRegistryEntry
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string Shift { get; set; } = "morning";
    public string Department { get; set; } = "assembly";
    public DateTime CreatedAt { get; set; }
}

/// <summary>A place on the line where work happens.</summary>
public sealed class Workstation : IRegistryEntry
{
    public required string Id { get; set; }
    public required string Name { get; set; }
    public string Location { get; set; } = "";
    public string Type { get; set; } = "assembly";

    /// <summary>Cameras that watch this workstation (optional); without them a camera's own events tell where it looks.</summary>
    public List<string> Cameras { get; set; } = [];

    public DateTime CreatedAt { get; set; }
}
