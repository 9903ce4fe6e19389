namespace Factory.Core.Events;

/// <summary>
/// Why an event was rejected, as one category per event: what the data-quality view counts per camera.
/// An event with several problems is counted once, under the first category of <see cref="Priority"/> it has.
/// </summary>
public static class RejectReasons
{
    /// <summary>A key bound to cameras sent an event for another camera (or none).</summary>
    public const string CameraMismatch = "camera_mismatch";

    /// <summary>A malformed or out-of-range field: the sender's software is wrong.</summary>
    public const string Validation = "validation";

    public const string UnknownWorker = "unknown_worker";

    public const string UnknownWorkstation = "unknown_workstation";

    /// <summary>The timestamp is further in the future than the allowed clock skew.</summary>
    public const string ClockSkew = "clock_skew";

    /// <summary>The timestamp is older than the retention period.</summary>
    public const string TooOld = "too_old";

    public static IReadOnlyList<string> Priority { get; } = [CameraMismatch, Validation, UnknownWorker, UnknownWorkstation, ClockSkew, TooOld];

    /// <summary>The category of an event whose fields failed with the given categories.</summary>
    public static string Of(IEnumerable<string> categories)
    {
        var present = categories.ToHashSet(StringComparer.Ordinal);
        return Priority.FirstOrDefault(present.Contains) ?? Validation;
    }
}
