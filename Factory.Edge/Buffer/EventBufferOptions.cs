namespace Factory.Edge.Buffer;

/// <summary>Where and how much the edge box keeps while the server cannot take events.</summary>
public sealed class EventBufferOptions
{
    public const int DefaultMaxEvents = 100_000;

    /// <summary>Path of the SQLite file; it survives restarts of the process and of the box.</summary>
    public string Path { get; set; } = "edge-buffer.db";

    /// <summary>Most events kept; when full, the oldest are dropped (counted and logged).</summary>
    public int MaxEvents { get; set; } = DefaultMaxEvents;

    /// <summary>
    /// SQLite <c>synchronous</c> pragma. FULL makes a buffered event survive power loss as well as a crash;
    /// NORMAL (with WAL) survives a process crash and is faster on slow flash.
    /// </summary>
    public string Synchronous { get; set; } = "FULL";

    /// <summary>Drops are summarised in the log at most this often, so a full buffer does not flood it.</summary>
    public TimeSpan DropLogInterval { get; set; } = TimeSpan.FromSeconds(10);
}
