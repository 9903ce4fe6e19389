using System.Net;
using System.Net.Http.Headers;
using Factory.Edge.Buffer;
using Factory.Edge.Sending;
using Factory.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Factory.Tests.Edge;

/// <summary>The sender against a scripted fake server, with time driven by a <see cref="FakeTimeProvider"/>.</summary>
public sealed class EventSenderTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 21, 15, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "factory-edge-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(Start);
    private readonly CapturedLog _log = new();
    private readonly CancellationTokenSource _stop = new();
    private EventBuffer? _buffer;
    private Task? _running;
    private long _seenWaits;

    private EventBuffer Buffer => _buffer ??= EventBuffer.Open(new EventBufferOptions { Path = Path.Combine(_folder, "buffer.db") }, _time);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running;
        }

        _buffer?.Dispose();
        _stop.Dispose();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private EventSender Run(FakeBatchServer server, SenderOptions? options = null, Random? random = null)
    {
        var http = new HttpClient(server) { BaseAddress = new Uri("http://edge.test/") };
        var sender = new EventSender(http, Buffer, options ?? new SenderOptions { Jitter = 0 }, _time, _log, random);
        _running = Task.Run(() => sender.RunAsync(_stop.Token));
        return sender;
    }

    private void Fill(int count) => Buffer.AddRange([.. Enumerable.Range(0, count).Select(i => EventBufferTests.Event(i))]);

    /// <summary>Waits until the sender has scheduled its next wake-up (time stands still meanwhile).</summary>
    private async Task<SenderStatus> NextWaitAsync(EventSender sender)
    {
        await Eventually.TrueAsync(() => sender.Status.Waits > _seenWaits, "the sender waits for its next attempt");
        var status = sender.Status;
        _seenWaits = status.Waits;
        return status;
    }

    /// <summary>Waits until the sender has scheduled its next wake-up, then moves the clock exactly there.</summary>
    private async Task<SenderStatus> AdvanceToNextWakeAsync(EventSender sender)
    {
        var status = await NextWaitAsync(sender);
        _time.Advance(status.NextWakeAt!.Value - _time.GetUtcNow());
        return status;
    }

    [Fact]
    public async Task Server_errors_are_retried_after_1_2_4_seconds_doubling_up_to_5_minutes_and_nothing_is_deleted()
    {
        var server = new FakeBatchServer(_time, _ => FakeBatchServer.Problem(HttpStatusCode.InternalServerError, "boom"));
        Fill(3);
        var sender = Run(server);

        for (var i = 1; i < 12; i++)
        {
            await AdvanceToNextWakeAsync(sender);
            await Eventually.TrueAsync(() => server.Batches.Count == i + 1, $"retry {i} is sent");
        }

        var gaps = server.Batches.Zip(server.Batches.Skip(1), (a, b) => (b.At - a.At).TotalSeconds).ToArray();
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300], gaps);
        Assert.All(server.Batches, b => Assert.Equal(3, b.EventIds.Count));
        Assert.Equal(3, Buffer.Count);
        Assert.Equal(ServerState.Busy, sender.Status.State);
        Assert.Empty(server.Probes);
    }

    [Fact]
    public async Task Retry_delays_carry_jitter_within_twenty_percent_below_the_nominal_delay()
    {
        var server = new FakeBatchServer(_time, _ => FakeBatchServer.Problem(HttpStatusCode.BadGateway, "proxy"));
        Fill(1);
        var sender = Run(server, new SenderOptions { Jitter = 0.2 }, new Random(7));

        for (var i = 1; i < 11; i++)
        {
            await AdvanceToNextWakeAsync(sender);
            await Eventually.TrueAsync(() => server.Batches.Count == i + 1, $"retry {i} is sent");
        }

        var gaps = server.Batches.Zip(server.Batches.Skip(1), (a, b) => b.At - a.At).ToArray();
        var nominal = new[] { 1, 2, 4, 8, 16, 32, 64, 128, 256, 300 }.Select(s => TimeSpan.FromSeconds(s)).ToArray();
        for (var i = 0; i < gaps.Length; i++)
        {
            Assert.InRange(gaps[i], nominal[i] * 0.8, nominal[i]);
        }

        Assert.Contains(gaps.Select((g, i) => g < nominal[i]), below => below);
    }

    [Fact]
    public async Task Too_many_requests_is_retried_after_the_servers_retry_after_and_keeps_the_events()
    {
        var answers = 0;
        var server = new FakeBatchServer(_time, call =>
        {
            if (Interlocked.Increment(ref answers) > 1)
            {
                return FakeBatchServer.Accept(call);
            }

            var busy = FakeBatchServer.Problem(HttpStatusCode.TooManyRequests, "slow down");
            busy.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return busy;
        });
        Fill(2);
        var sender = Run(server);

        var waiting = await NextWaitAsync(sender);
        Assert.Equal(2, Buffer.Count);
        Assert.Equal(ServerState.Busy, waiting.State);
        Assert.Equal(Start.AddSeconds(7), waiting.NextAttemptAt);
        _time.Advance(TimeSpan.FromSeconds(7));
        await Eventually.TrueAsync(() => sender.Status.Accepted == 2, "the retried batch is acknowledged");

        Assert.Equal(TimeSpan.FromSeconds(7), server.Batches[1].At - server.Batches[0].At);
        Assert.Equal(server.Batches[0].EventIds, server.Batches[1].EventIds);
        Assert.Equal(0, Buffer.Count);
        Assert.Equal(1, sender.Status.Retries);
    }

    [Fact]
    public async Task An_item_the_server_rejects_is_dropped_with_its_reason_logged_and_never_resent()
    {
        var server = new FakeBatchServer(_time, call => FakeBatchServer.Accept(call, rejected: 1));
        Fill(3);
        var rejectedId = Buffer.Peek(3)[1].EventId;
        var sender = Run(server);

        await Eventually.TrueAsync(() => sender.Status.Rejected == 1, "the batch is settled");
        Buffer.Add(EventBufferTests.Event(10));
        await Eventually.TrueAsync(() => sender.Status.Accepted == 3, "the next event is sent");

        Assert.Equal(2, server.Batches.Count);
        Assert.Equal(0, Buffer.Count);
        Assert.Equal(1, sender.Status.Rejected);
        Assert.Equal(0, sender.Status.Retries);
        Assert.DoesNotContain(rejectedId, server.Batches[1].EventIds);
        var warning = Assert.Single(_log.At(LogLevel.Warning));
        Assert.Contains(rejectedId, warning, StringComparison.Ordinal);
        Assert.Contains("timestamp: Is more than 00:05:00 in the future.", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicates_count_as_acknowledged_and_unacknowledged_items_stay_buffered()
    {
        var server = new FakeBatchServer(_time, call => call.EventIds.Count == 3
            ? FakeBatchServer.Json(HttpStatusCode.OK, new
            {
                accepted = 1,
                duplicates = 1,
                rejected = Array.Empty<object>(),
                results = new object[] { new { index = 0, id = 5, status = "accepted" }, new { index = 2, id = 4, status = "duplicate" } },
            })
            : FakeBatchServer.Accept(call));
        Fill(3);
        var middle = Buffer.Peek(3)[1].EventId;
        var sender = Run(server);

        await Eventually.TrueAsync(() => sender.Status.Accepted == 2, "the unacknowledged item is resent");

        Assert.Equal([middle], server.Batches[1].EventIds);
        Assert.Equal(2, sender.Status.Accepted);
        Assert.Equal(1, sender.Status.Duplicates);
    }

    [Fact]
    public async Task Payload_too_large_halves_the_batch_until_the_server_takes_it()
    {
        var server = new FakeBatchServer(_time, call => call.EventIds.Count > 20
            ? FakeBatchServer.Problem(HttpStatusCode.RequestEntityTooLarge, "too large")
            : FakeBatchServer.Accept(call));
        Fill(150);
        var sender = Run(server);

        await Eventually.TrueAsync(() => sender.Status.Accepted == 150, "every event is delivered");

        Assert.Equal(0, Buffer.Count);
        Assert.Equal([100, 50, 25, 12], server.Batches.Take(4).Select(b => b.EventIds.Count));
        Assert.Equal(150, server.Batches.Where(b => b.EventIds.Count <= 20).SelectMany(b => b.EventIds).Distinct().Count());
        Assert.Equal(0, sender.Status.Rejected);
    }

    [Fact]
    public async Task A_single_event_the_server_always_refuses_as_a_bad_request_is_isolated_and_dropped()
    {
        Fill(8);
        var poison = Buffer.Peek(8)[5].EventId;
        var server = new FakeBatchServer(_time, call => call.EventIds.Contains(poison)
            ? FakeBatchServer.Problem(HttpStatusCode.BadRequest, "The body is not valid JSON")
            : FakeBatchServer.Accept(call));
        var sender = Run(server);

        await Eventually.TrueAsync(() => sender.Status.Accepted == 7 && sender.Status.Rejected == 1, "the batch is settled");

        Assert.Equal(0, Buffer.Count);
        Assert.Equal(1, server.Batches.Count(b => b.EventIds.SequenceEqual([poison])));
        Assert.Contains(_log.At(LogLevel.Warning), m => m.Contains(poison, StringComparison.Ordinal) && m.Contains("not valid JSON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_api_key_keeps_the_events_logs_an_error_and_backs_off_instead_of_looping()
    {
        var server = new FakeBatchServer(_time, _ => FakeBatchServer.Problem(HttpStatusCode.Unauthorized, "Unknown API key."));
        Fill(4);
        var sender = Run(server, new SenderOptions { Jitter = 0, ApiKey = "wrong-key" });

        for (var i = 1; i < 4; i++)
        {
            await AdvanceToNextWakeAsync(sender);
            await Eventually.TrueAsync(() => server.Batches.Count == i + 1, $"attempt {i + 1}");
        }

        Assert.Equal([1.0, 2.0, 4.0], server.Batches.Zip(server.Batches.Skip(1), (a, b) => (b.At - a.At).TotalSeconds));
        Assert.All(server.Batches, b => Assert.Equal("wrong-key", b.ApiKey));
        Assert.Equal(4, Buffer.Count);
        Assert.Equal(ServerState.Refusing, sender.Status.State);
        Assert.Contains(_log.At(LogLevel.Error), m => m.Contains("401", StringComparison.Ordinal) && m.Contains("--api-key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task While_unreachable_health_is_probed_every_30_seconds_and_sending_resumes_when_it_answers()
    {
        var up = false;
        var server = new FakeBatchServer(_time, call => Volatile.Read(ref up)
            ? call.Path == "/health" ? new HttpResponseMessage(HttpStatusCode.OK) : FakeBatchServer.Accept(call)
            : throw new HttpRequestException("Connection refused (edge.test:80)"));
        Fill(5);
        var sender = Run(server);

        while (server.Probes.Count < 4 || server.Batches.Count < 8)
        {
            await AdvanceToNextWakeAsync(sender);
            await Eventually.TrueAsync(() => server.Calls.Count > 0 && server.Calls[^1].At == _time.GetUtcNow(), "the due attempt or probe is made");
        }

        Assert.Equal(ServerState.Down, sender.Status.State);
        Assert.Equal([30.0, 60, 90, 120], server.Probes.Select(p => (p.At - Start).TotalSeconds));
        Assert.Equal([0.0, 1, 3, 7, 15, 31, 63, 127], server.Batches.Select(b => (b.At - Start).TotalSeconds));

        Volatile.Write(ref up, true);
        await AdvanceToNextWakeAsync(sender);
        await Eventually.TrueAsync(() => sender.Status.Accepted == 5, "sending resumes after the probe");

        Assert.Equal(Start.AddSeconds(150), server.Probes[^1].At);
        Assert.Equal(Start.AddSeconds(150), server.Batches[^1].At);
        Assert.Equal(ServerState.Up, sender.Status.State);
        Assert.Equal(0, Buffer.Count);
        Assert.Contains(_log.At(LogLevel.Information), m => m.Contains("/health again", StringComparison.Ordinal));
    }
}
