namespace Factory.Core.Events;

/// <summary>What a camera's vision model reported. Values are stored as integers: never renumber.</summary>
public enum EventType
{
    Working = 0,
    Idle = 1,
    Absent = 2,
    ProductCount = 3,
}

/// <summary>Wire names of <see cref="EventType"/> (the reference system's snake_case strings).</summary>
public static class EventTypes
{
    public const string Working = "working";
    public const string Idle = "idle";
    public const string Absent = "absent";
    public const string ProductCount = "product_count";

    public static IReadOnlyList<string> All { get; } = [Working, Idle, Absent, ProductCount];

    public static string ToWire(this EventType type) => type switch
    {
        EventType.Working => Working,
        EventType.Idle => Idle,
        EventType.Absent => Absent,
        EventType.ProductCount => ProductCount,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParse(string? value, out EventType type)
    {
        switch (value)
        {
            case Working: type = EventType.Working; return true;
            case Idle: type = EventType.Idle; return true;
            case Absent: type = EventType.Absent; return true;
            case ProductCount: type = EventType.ProductCount; return true;
            default: type = default; return false;
        }
    }

    public static bool IsState(this EventType type) => type is EventType.Working or EventType.Idle or EventType.Absent;
}
