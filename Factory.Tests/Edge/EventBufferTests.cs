using Factory.Edge.Buffer;
using Factory.Edge.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Factory.Tests.Edge;

public sealed class EventBufferTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 21, 15, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "factory-edge-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(Start);

    private string BufferPath => Path.Combine(_folder, "buffer.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    internal static EdgeEvent Event(int second, string type = "working", string? eventId = null) =>
        new(Start.AddSeconds(second), "W1", "S1", type, 0.9, 1, "CAM-01", "yolov8-v2.1", eventId);

    [Fact]
    public void Every_buffered_event_gets_a_distinct_event_id_that_is_part_of_its_payload()
    {
        using var buffer = EventBuffer.Open(new EventBufferOptions { Path = BufferPath }, _time);

        var ids = buffer.AddRange([Event(1), Event(2), Event(3, eventId: "given-id")]);

        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal("given-id", ids[2]);
        var stored = buffer.Peek(10);
        Assert.Equal(ids, stored.Select(e => e.EventId));
        Assert.Contains("\"event_id\":\"given-id\"", stored[2].Payload, StringComparison.Ordinal);
        Assert.Contains("\"timestamp\":\"2026-01-21T15:00:01.0000000+00:00\"", stored[0].Payload, StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_an_event_id_that_is_already_buffered_stores_it_once()
    {
        using var buffer = EventBuffer.Open(new EventBufferOptions { Path = BufferPath }, _time);

        buffer.Add(Event(1, eventId: "same"));
        buffer.Add(Event(1, eventId: "same"));

        Assert.Equal(1, buffer.Count);
    }

    [Fact]
    public void Full_buffer_drops_the_oldest_events_counts_and_logs_them()
    {
        var log = new CapturedLog();
        using var buffer = EventBuffer.Open(new EventBufferOptions { Path = BufferPath, MaxEvents = 5 }, _time, log);

        var ids = Enumerable.Range(0, 8).Select(i => buffer.Add(Event(i))).ToList();

        Assert.Equal(5, buffer.Count);
        Assert.Equal(3, buffer.Dropped);
        Assert.Equal(ids.Skip(3), buffer.Peek(100).Select(e => e.EventId));
        Assert.Equal(Start.AddSeconds(3), buffer.OldestTimestamp());
        var warning = Assert.Single(log.At(LogLevel.Warning));
        Assert.Contains("dropped the 1 oldest", warning, StringComparison.Ordinal);

        // Later drops within the log interval are summarised, not lost: the rest is reported at close at the latest.
        buffer.Dispose();
        Assert.Contains(log.At(LogLevel.Warning), m => m.Contains("dropped the 2 oldest", StringComparison.Ordinal) && m.Contains("3 dropped in total", StringComparison.Ordinal));
    }

    [Fact]
    public void Drops_are_logged_again_once_the_log_interval_has_passed()
    {
        var log = new CapturedLog();
        using var buffer = EventBuffer.Open(new EventBufferOptions { Path = BufferPath, MaxEvents = 2, DropLogInterval = TimeSpan.FromSeconds(10) }, _time, log);

        buffer.AddRange([Event(0), Event(1), Event(2)]);
        buffer.Add(Event(3));
        _time.Advance(TimeSpan.FromSeconds(10));
        buffer.Add(Event(4));

        Assert.Equal(3, buffer.Dropped);
        Assert.Equal(2, log.At(LogLevel.Warning).Count());
        Assert.Contains("dropped the 2 oldest", log.At(LogLevel.Warning).Last(), StringComparison.Ordinal);
    }

    [Fact]
    public void Buffered_events_and_the_drop_count_survive_closing_and_reopening_the_file()
    {
        IReadOnlyList<BufferedEvent> before;
        using (var buffer = EventBuffer.Open(new EventBufferOptions { Path = BufferPath, MaxEvents = 3 }, _time))
        {
            buffer.AddRange([Event(1), Event(2), Event(3), Event(4, "product_count")]);
            before = buffer.Peek(10);
        }

        using var reopened = EventBuffer.Open(new EventBufferOptions { Path = BufferPath, MaxEvents = 3 }, _time);

        Assert.Equal(3, reopened.Count);
        Assert.Equal(1, reopened.Dropped);
        Assert.Equal(before, reopened.Peek(10));
        Assert.Equal(Start.AddSeconds(2), reopened.OldestTimestamp());
    }

    [Fact]
    public void Reopening_with_a_smaller_bound_drops_the_oldest_at_once()
    {
        using (var buffer = EventBuffer.Open(new EventBufferOptions { Path = BufferPath }, _time))
        {
            buffer.AddRange([.. Enumerable.Range(0, 10).Select(i => Event(i))]);
        }

        using var reopened = EventBuffer.Open(new EventBufferOptions { Path = BufferPath, MaxEvents = 4 }, _time);

        Assert.Equal(4, reopened.Count);
        Assert.Equal(6, reopened.Dropped);
        Assert.Equal(Start.AddSeconds(6), reopened.OldestTimestamp());
    }

    [Fact]
    public void Removing_acknowledged_events_leaves_the_others_in_order()
    {
        using var buffer = EventBuffer.Open(new EventBufferOptions { Path = BufferPath }, _time);
        buffer.AddRange([Event(1), Event(2), Event(3)]);
        var all = buffer.Peek(10);

        var removed = buffer.Remove([all[0].Sequence, all[2].Sequence]);

        Assert.Equal(2, removed);
        Assert.Equal([all[1]], buffer.Peek(10));
        Assert.Equal(1, buffer.Count);
    }
}
