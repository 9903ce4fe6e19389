using Factory.Core.Events;

namespace Factory.Core.Mqtt;

/// <summary>
/// A topic filter whose single <c>+</c> level is the camera id, e.g. <c>factory/+/events</c>: it tells which
/// camera a topic belongs to, and which topic a camera publishes to.
/// </summary>
public sealed class MqttTopicFilter
{
    private readonly string[] _levels;
    private readonly int _cameraLevel;

    private MqttTopicFilter(string filter, string[] levels, int cameraLevel)
    {
        Filter = filter;
        _levels = levels;
        _cameraLevel = cameraLevel;
    }

    public string Filter { get; }

    /// <summary>Parses a filter; on failure <paramref name="error"/> completes the sentence "&lt;setting&gt; …".</summary>
    public static bool TryParse(string? filter, out MqttTopicFilter? parsed, out string? error)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(filter))
        {
            error = "must be a topic filter such as factory/+/events.";
            return false;
        }

        if (filter.StartsWith('$'))
        {
            error = $"'{filter}' must not start with '$' (use Mqtt:SharedGroup for a shared subscription).";
            return false;
        }

        var levels = filter.Split('/');
        var plus = Array.FindAll(Enumerable.Range(0, levels.Length).ToArray(), i => levels[i] == "+");
        if (filter.Contains('#', StringComparison.Ordinal) || plus.Length != 1
            || levels.Any(l => l != "+" && l.Contains('+', StringComparison.Ordinal)))
        {
            error = $"'{filter}' must have exactly one '+' level, the camera id, and no '#' (e.g. factory/+/events).";
            return false;
        }

        parsed = new MqttTopicFilter(filter, levels, plus[0]);
        error = null;
        return true;
    }

    public static MqttTopicFilter Parse(string filter) =>
        TryParse(filter, out var parsed, out var error) ? parsed! : throw new ArgumentException($"The topic filter {error}", nameof(filter));

    /// <summary>True when <paramref name="topic"/> matches the filter.</summary>
    public bool Matches(string topic) => CameraOf(topic) is not null;

    /// <summary>The camera level of a matching topic (not yet checked as a camera id), or null when it does not match.</summary>
    public string? CameraOf(string topic)
    {
        var levels = topic.Split('/');
        if (levels.Length != _levels.Length)
        {
            return null;
        }

        for (var i = 0; i < levels.Length; i++)
        {
            if (i != _cameraLevel && !string.Equals(levels[i], _levels[i], StringComparison.Ordinal))
            {
                return null;
            }
        }

        return levels[_cameraLevel];
    }

    /// <summary>The topic of one camera: the filter with its <c>+</c> replaced by <paramref name="camera"/>.</summary>
    public string TopicFor(string camera)
    {
        var levels = (string[])_levels.Clone();
        levels[_cameraLevel] = camera;
        return string.Join('/', levels);
    }

    /// <summary>
    /// True when <paramref name="camera"/> may stand in a topic and be stored as a camera id: the rules of
    /// <c>camera_id</c> (1 to 64 characters, no control characters) and none of the topic characters / + #.
    /// </summary>
    public static bool IsValidCamera(string? camera) =>
        !string.IsNullOrWhiteSpace(camera) && camera.Length <= EventParser.MaxTextLength
        && !camera.Any(char.IsControl) && camera.IndexOfAny(['/', '+', '#']) < 0;
}
