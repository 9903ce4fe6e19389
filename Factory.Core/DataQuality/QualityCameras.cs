using System.Text.Json;
using Factory.Core.Events;

namespace Factory.Core.DataQuality;

/// <summary>
/// The camera a duplicate or rejected event is counted under. Only ids that passed the same rules as a stored
/// camera id are kept; anything else is a fixed placeholder, so that no hostile string reaches the database.
/// </summary>
public static class QualityCameras
{
    /// <summary>The event carried no camera id and the key is not bound to exactly one camera.</summary>
    public const string None = "(none)";

    /// <summary>The camera id was not usable (too long, not a string, control characters, not allowed for the key).</summary>
    public const string Invalid = "(invalid)";

    /// <summary>Too many distinct cameras between two flushes: the rest are pooled.</summary>
    public const string Other = "(other)";

    /// <summary>For a stored or duplicate event: its (validated) camera id, else the key's only camera, else <see cref="None"/>.</summary>
    public static string ForValid(string? cameraId, IReadOnlySet<string>? allowedCameras) =>
        cameraId ?? Single(allowedCameras) ?? None;

    /// <summary>For a rejected item: its camera id when it is a valid one the key may use, otherwise a placeholder.</summary>
    public static string ForRejected(JsonElement item, IReadOnlySet<string>? allowedCameras)
    {
        if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("camera_id", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return Single(allowedCameras) ?? None;
        }

        var text = value.ValueKind == JsonValueKind.String ? TryGetString(value) : null;
        if (text is null || text.Length > EventParser.MaxTextLength || text.Any(char.IsControl))
        {
            return Invalid;
        }

        if (text.Length == 0)
        {
            return Single(allowedCameras) ?? None;
        }

        return allowedCameras is { Count: > 0 } && !allowedCameras.Contains(text) ? Invalid : text;
    }

    private static string? Single(IReadOnlySet<string>? allowedCameras) => allowedCameras is { Count: 1 } ? allowedCameras.First() : null;

    private static string? TryGetString(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
