using Factory.Edge.Events;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Factory.Edge.Buffer;

/// <summary>
/// The durable, bounded queue between the cameras and the sender: a SQLite file in WAL mode.
/// Every event is stored here first with an <c>event_id</c> assigned once, so that however often it
/// is resent (after a timeout, a crash, a reboot), the server recognises it as the same event.
/// </summary>
public sealed partial class EventBuffer : IDisposable
{
    private const string DroppedCounter = "dropped";

    private readonly SqliteConnection _connection;
    private readonly EventBufferOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _count;
    private long _dropped;
    private long _droppedNotLogged;
    private DateTimeOffset _lastDropLog = DateTimeOffset.MinValue;
    private bool _disposed;

    private EventBuffer(SqliteConnection connection, EventBufferOptions options, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Opens (or creates) the buffer file; events left by a previous run are kept.</summary>
    public static EventBuffer Open(EventBufferOptions options, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxEvents, 1);
        var fullPath = System.IO.Path.GetFullPath(options.Path);
        var folder = System.IO.Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        connection.Open();
        var synchronous = options.Synchronous.ToUpperInvariant() switch
        {
            "OFF" or "NORMAL" or "FULL" or "EXTRA" => options.Synchronous.ToUpperInvariant(),
            _ => throw new ArgumentException($"Synchronous must be OFF, NORMAL, FULL or EXTRA, not '{options.Synchronous}'.", nameof(options)),
        };
        Execute(connection, $"""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = {synchronous};
            CREATE TABLE IF NOT EXISTS buffered_events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL UNIQUE,
                timestamp_ticks INTEGER NOT NULL,
                offset_minutes INTEGER NOT NULL,
                buffered_at_ticks INTEGER NOT NULL,
                payload TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS buffer_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            """);

        var buffer = new EventBuffer(connection, options, time ?? TimeProvider.System, logger ?? NullLogger.Instance);
        buffer._count = (int)Scalar(connection, "SELECT COUNT(*) FROM buffered_events");
        buffer._dropped = Scalar(connection, $"SELECT COALESCE((SELECT value FROM buffer_counters WHERE name = '{DroppedCounter}'), 0)");
        if (buffer._count > 0)
        {
            buffer.LogReopened(fullPath, buffer._count);
        }

        // A smaller limit than last time applies at once.
        lock (buffer._gate)
        {
            using var tx = connection.BeginTransaction();
            buffer.TrimToBound(tx);
            tx.Commit();
        }

        return buffer;
    }

    /// <summary>Events currently waiting.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Events dropped because the buffer was full, over the life of the file.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int MaxEvents => _options.MaxEvents;

    /// <summary>Stores one event and returns its <c>event_id</c> (the given one, or a new one).</summary>
    public string Add(EdgeEvent e) => AddRange([e])[0];

    /// <summary>
    /// Stores events in one transaction, in order, each with its <c>event_id</c> (kept if the event has one,
    /// assigned otherwise). Adding an id that is already buffered is a no-op. When the bound is exceeded the
    /// oldest events are dropped.
    /// </summary>
    public IReadOnlyList<string> AddRange(IReadOnlyList<EdgeEvent> events)
    {
        var ids = new string[events.Count];
        if (events.Count == 0)
        {
            return ids;
        }

        var now = _time.GetUtcNow().UtcTicks;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var tx = _connection.BeginTransaction();
            using var insert = _connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = """
                INSERT INTO buffered_events (event_id, timestamp_ticks, offset_minutes, buffered_at_ticks, payload)
                VALUES ($id, $ts, $offset, $at, $payload) ON CONFLICT (event_id) DO NOTHING
                """;
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var ts = insert.Parameters.Add("$ts", SqliteType.Integer);
            var offset = insert.Parameters.Add("$offset", SqliteType.Integer);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            var payload = insert.Parameters.Add("$payload", SqliteType.Text);
            at.Value = now;
            insert.Prepare();
            var added = 0;
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                ids[i] = string.IsNullOrEmpty(e.EventId) ? EdgeEvent.NewEventId() : e.EventId;
                id.Value = ids[i];
                ts.Value = e.Timestamp.UtcTicks;
                offset.Value = (int)e.Timestamp.Offset.TotalMinutes;
                payload.Value = e.ToJson(ids[i]);
                added += insert.ExecuteNonQuery();
            }

            _count += added;
            TrimToBound(tx);
            tx.Commit();
            var signal = _added;
            _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal.TrySetResult();
        }

        return ids;
    }

    /// <summary>The oldest events, up to <paramref name="max"/>, in the order they were buffered.</summary>
    public IReadOnlyList<BufferedEvent> Peek(int max)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT seq, event_id, timestamp_ticks, offset_minutes, payload FROM buffered_events ORDER BY seq LIMIT $max";
            select.Parameters.AddWithValue("$max", max);
            using var reader = select.ExecuteReader();
            var result = new List<BufferedEvent>(Math.Min(max, _count));
            while (reader.Read())
            {
                result.Add(new BufferedEvent(reader.GetInt64(0), reader.GetString(1), ToInstant(reader.GetInt64(2), reader.GetInt32(3)), reader.GetString(4)));
            }

            return result;
        }
    }

    /// <summary>Deletes events the server has acknowledged (or that will never be accepted).</summary>
    public int Remove(IReadOnlyCollection<long> sequences)
    {
        if (sequences.Count == 0)
        {
            return 0;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var tx = _connection.BeginTransaction();
            using var delete = _connection.CreateCommand();
            delete.Transaction = tx;
            delete.CommandText = "DELETE FROM buffered_events WHERE seq = $seq";
            var seq = delete.Parameters.Add("$seq", SqliteType.Integer);
            delete.Prepare();
            var removed = 0;
            foreach (var s in sequences)
            {
                seq.Value = s;
                removed += delete.ExecuteNonQuery();
            }

            tx.Commit();
            _count -= removed;
            return removed;
        }
    }

    /// <summary>Timestamp of the oldest waiting event, or null when the buffer is empty.</summary>
    public DateTimeOffset? OldestTimestamp()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT timestamp_ticks, offset_minutes FROM buffered_events ORDER BY seq LIMIT 1";
            using var reader = select.ExecuteReader();
            return reader.Read() ? ToInstant(reader.GetInt64(0), reader.GetInt32(1)) : null;
        }
    }

    /// <summary>Completes when events are added, or after <paramref name="timeout"/>, whichever is first.</summary>
    public async Task WaitForEventsAsync(TimeSpan timeout, CancellationToken ct)
    {
        Task added;
        lock (_gate)
        {
            if (_count > 0)
            {
                return;
            }

            added = _added.Task;
        }

        await Task.WhenAny(added, Task.Delay(timeout, _time, ct));
        ct.ThrowIfCancellationRequested();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_droppedNotLogged > 0)
            {
                LogDropped(_droppedNotLogged, _options.MaxEvents, _dropped);
            }

            _added.TrySetResult();
            _connection.Dispose();
        }
    }

    private void TrimToBound(SqliteTransaction tx)
    {
        var excess = _count - _options.MaxEvents;
        if (excess <= 0)
        {
            return;
        }

        using var delete = _connection.CreateCommand();
        delete.Transaction = tx;
        delete.CommandText = """
            DELETE FROM buffered_events WHERE seq IN (SELECT seq FROM buffered_events ORDER BY seq LIMIT $n);
            INSERT INTO buffer_counters (name, value) VALUES ($name, $n) ON CONFLICT (name) DO UPDATE SET value = value + $n;
            """;
        delete.Parameters.AddWithValue("$n", excess);
        delete.Parameters.AddWithValue("$name", DroppedCounter);
        delete.ExecuteNonQuery();
        _count -= excess;
        Interlocked.Add(ref _dropped, excess);
        _droppedNotLogged += excess;

        var now = _time.GetUtcNow();
        if (now - _lastDropLog >= _options.DropLogInterval)
        {
            LogDropped(_droppedNotLogged, _options.MaxEvents, _dropped);
            _droppedNotLogged = 0;
            _lastDropLog = now;
        }
    }

    private static DateTimeOffset ToInstant(long utcTicks, int offsetMinutes) =>
        new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(offsetMinutes));

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Buffer full ({MaxEvents} events): dropped the {Dropped} oldest events that the server had not yet acknowledged ({Total} dropped in total)")]
    private partial void LogDropped(long dropped, int maxEvents, long total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened buffer {Path} with {Count} events left from a previous run")]
    private partial void LogReopened(string path, int count);
}
