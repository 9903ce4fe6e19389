using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Factory.Edge.Buffer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Factory.Edge.Sending;

/// <summary>
/// Uploads buffered events in batches and deletes only what the server acknowledged.
/// Failures of the whole request are retried with exponential backoff; while the server is unreachable
/// <c>/health</c> is probed and sending resumes as soon as it answers. Items the server rejects one by one
/// are dropped with the reason logged, so that one bad event never blocks the queue.
/// </summary>
public sealed partial class EventSender
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly EventBuffer _buffer;
    private readonly SenderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ExponentialBackoff _backoff;
    private readonly Lock _gate = new();

    private ServerState _state;
    private long _requests;
    private long _accepted;
    private long _duplicates;
    private long _rejected;
    private long _retries;
    private long _probes;
    private int _failures;
    private int _batchSize;
    private DateTimeOffset? _nextAttemptAt;
    private DateTimeOffset? _nextWakeAt;
    private DateTimeOffset? _nextProbeAt;
    private long _waits;
    private string? _lastError;

    public EventSender(HttpClient http, EventBuffer buffer, SenderOptions options, TimeProvider? time = null, ILogger? logger = null, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.HealthProbeInterval, TimeSpan.Zero);
        _http = http;
        _buffer = buffer;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _backoff = new ExponentialBackoff(options.InitialBackoff, options.MaxBackoff, options.Jitter, random);
        _batchSize = options.BatchSize;
    }

    /// <summary>Counters and state right now.</summary>
    public SenderStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new SenderStatus(_state, _requests, _accepted, _duplicates, _rejected, _retries, _probes, _failures,
                    _batchSize, _nextAttemptAt, _nextWakeAt, _waits, _lastError);
            }
        }
    }

    /// <summary>Sends until <paramref name="ct"/> is cancelled; returns normally then (buffered events stay buffered).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var batch = _buffer.Peek(_batchSize);
                if (batch.Count == 0)
                {
                    await _buffer.WaitForEventsAsync(_options.IdlePoll, ct);
                    continue;
                }

                var outcome = await SendAsync(batch, ct);
                switch (outcome.Kind)
                {
                    case OutcomeKind.Delivered:
                        Recovered(log: true);
                        break;
                    case OutcomeKind.Split:
                        break;
                    case OutcomeKind.Busy:
                        await RetryLaterAsync(ServerState.Busy, outcome, probe: false, ct);
                        break;
                    case OutcomeKind.Unreachable:
                        await RetryLaterAsync(ServerState.Down, outcome, probe: true, ct);
                        break;
                    case OutcomeKind.Refused:
                        await RetryLaterAsync(ServerState.Refusing, outcome, probe: false, ct);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>One request for <paramref name="batch"/>; the buffer is updated with whatever the answer settles.</summary>
    internal async Task<Outcome> SendAsync(IReadOnlyList<BufferedEvent> batch, CancellationToken ct)
    {
        lock (_gate)
        {
            _requests++;
        }

        HttpResponseMessage response;
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/events/batch") { Content = BatchBody(batch) };
            if (!string.IsNullOrEmpty(_options.ApiKey))
            {
                request.Headers.Add("X-Api-Key", _options.ApiKey);
            }

            response = await _http.SendAsync(request, linked.Token);
        }
        catch (HttpRequestException ex)
        {
            return new Outcome(OutcomeKind.Unreachable, $"network error: {ex.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Outcome(OutcomeKind.Unreachable, $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s");
        }

        using (response)
        {
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(linked.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                return new Outcome(OutcomeKind.Unreachable, $"answer cut off: {ex.Message}");
            }

            var status = (int)response.StatusCode;
            if (status == 200)
            {
                return Settle(batch, text);
            }

            var problem = $"{status} {response.ReasonPhrase}: {ProblemText(text)}";
            if (status is 408 or 429 || status >= 500)
            {
                return new Outcome(OutcomeKind.Busy, problem, RetryAfter(response));
            }

            if (status is 400 or 413 or 422)
            {
                return SplitOrDrop(batch, status, problem);
            }

            return new Outcome(OutcomeKind.Refused, problem + RefusalHint(status));
        }
    }

    private static ByteArrayContent BatchBody(IReadOnlyList<BufferedEvent> batch)
    {
        var body = new StringBuilder(batch.Count * 256 + 16).Append("{\"events\":[");
        for (var i = 0; i < batch.Count; i++)
        {
            if (i > 0)
            {
                body.Append(',');
            }

            body.Append(batch[i].Payload);
        }

        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.Append("]}").ToString()));
        content.Headers.ContentType = Json;
        return content;
    }

    /// <summary>Reads a 200 answer: acknowledged items and rejected items leave the buffer, anything else stays.</summary>
    private Outcome Settle(IReadOnlyList<BufferedEvent> batch, string text)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(text);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // The server may have stored the events; resending is safe because of event_id.
            return new Outcome(OutcomeKind.Busy, "200 with a body that is not the batch answer");
        }

        var settled = new bool[batch.Count];
        var remove = new List<long>(batch.Count);
        long accepted = 0, duplicates = 0, rejected = 0;

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("rejected", out var rejections) && rejections.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in rejections.EnumerateArray())
            {
                if (TryIndex(r, batch.Count, out var index) && !settled[index])
                {
                    settled[index] = true;
                    remove.Add(batch[index].Sequence);
                    rejected++;
                    LogRejected(batch[index].EventId, batch[index].Timestamp, r.TryGetProperty("errors", out var errors) ? ErrorText(errors) : "no reason given");
                }
            }
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in results.EnumerateArray())
            {
                if (TryIndex(r, batch.Count, out var index) && !settled[index]
                    && r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String)
                {
                    var isDuplicate = s.ValueEquals("duplicate");
                    if (isDuplicate || s.ValueEquals("accepted"))
                    {
                        settled[index] = true;
                        remove.Add(batch[index].Sequence);
                        if (isDuplicate)
                        {
                            duplicates++;
                        }
                        else
                        {
                            accepted++;
                        }
                    }
                }
            }
        }
        else if (root.ValueKind == JsonValueKind.Object
                 && root.TryGetProperty("accepted", out var a) && a.TryGetInt64(out var acceptedCount)
                 && root.TryGetProperty("duplicates", out var d) && d.TryGetInt64(out var duplicateCount)
                 && acceptedCount + duplicateCount + rejected == batch.Count)
        {
            // A server without per-item results: the counts add up, so every item not rejected was stored.
            for (var i = 0; i < batch.Count; i++)
            {
                if (!settled[i])
                {
                    settled[i] = true;
                    remove.Add(batch[i].Sequence);
                }
            }

            accepted = acceptedCount;
            duplicates = duplicateCount;
        }

        _buffer.Remove(remove);
        lock (_gate)
        {
            _accepted += accepted;
            _duplicates += duplicates;
            _rejected += rejected;
        }

        if (remove.Count == 0)
        {
            return new Outcome(OutcomeKind.Busy, "200 that acknowledged none of the batch");
        }

        if (remove.Count < batch.Count)
        {
            LogPartial(remove.Count, batch.Count);
        }

        return new Outcome(OutcomeKind.Delivered, null);
    }

    /// <summary>
    /// A whole-request 400/413/422 says something in the batch is unacceptable: halve the batch until the
    /// culprit is alone, then drop it with the reason, so one bad or oversized event cannot stall the queue.
    /// </summary>
    private Outcome SplitOrDrop(IReadOnlyList<BufferedEvent> batch, int status, string problem)
    {
        if (batch.Count > 1)
        {
            int size;
            lock (_gate)
            {
                _batchSize = Math.Max(1, batch.Count / 2);
                size = _batchSize;
            }

            LogSplit(status, batch.Count, size, problem);
            return new Outcome(OutcomeKind.Split, problem);
        }

        _buffer.Remove([batch[0].Sequence]);
        lock (_gate)
        {
            _rejected++;
            // Back to full batches once the culprit is gone.
            _batchSize = _options.BatchSize;
        }

        LogRejected(batch[0].EventId, batch[0].Timestamp, problem);
        return new Outcome(OutcomeKind.Delivered, null);
    }

    private async Task RetryLaterAsync(ServerState state, Outcome outcome, bool probe, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        TimeSpan delay;
        bool enteringDown;
        lock (_gate)
        {
            _failures++;
            _retries++;
            enteringDown = state == ServerState.Down && _state != ServerState.Down;
            if (state == ServerState.Down && (_nextProbeAt is null || enteringDown))
            {
                _nextProbeAt = now + _options.HealthProbeInterval;
            }

            _state = state;
            _lastError = outcome.Reason;
            delay = outcome.RetryAfter is { } after
                ? TimeSpan.FromTicks(Math.Clamp(after.Ticks, 0, _options.MaxBackoff.Ticks))
                : _backoff.Next(_failures);
            _nextAttemptAt = now + delay;
        }

        switch (state)
        {
            case ServerState.Down when enteringDown:
                LogDown(outcome.Reason!, delay.TotalSeconds, _options.HealthProbeInterval.TotalSeconds, _buffer.Count);
                break;
            case ServerState.Down:
                LogStillDown(outcome.Reason!, delay.TotalSeconds);
                break;
            case ServerState.Busy:
                LogBusy(outcome.Reason!, delay.TotalSeconds);
                break;
            default:
                LogRefused(outcome.Reason!, _buffer.Count, delay.TotalSeconds);
                break;
        }

        while (true)
        {
            DateTimeOffset retryAt, wakeAt;
            lock (_gate)
            {
                retryAt = _nextAttemptAt!.Value;
                wakeAt = probe && _nextProbeAt is { } p && p < retryAt ? p : retryAt;
                _nextWakeAt = wakeAt;
                _waits++;
            }

            await DelayUntilAsync(wakeAt, ct);
            if (probe && _time.GetUtcNow() >= _nextProbeAt)
            {
                if (await ProbeAsync(ct))
                {
                    LogHealthy(_buffer.Count);
                    Recovered(log: false);
                    return;
                }

                lock (_gate)
                {
                    _nextProbeAt = _time.GetUtcNow() + _options.HealthProbeInterval;
                }
            }

            if (_time.GetUtcNow() >= retryAt)
            {
                return;
            }
        }
    }

    private async Task<bool> ProbeAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            _probes++;
        }

        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var response = await _http.GetAsync("health", linked.Token);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Recovered(bool log)
    {
        ServerState previous;
        lock (_gate)
        {
            previous = _state;
            _state = ServerState.Up;
            _failures = 0;
            _nextAttemptAt = null;
            _nextWakeAt = null;
            _nextProbeAt = null;
            _lastError = null;
        }

        if (log && previous is ServerState.Busy or ServerState.Refusing or ServerState.Down)
        {
            LogRecovered(previous);
        }
    }

    private async Task DelayUntilAsync(DateTimeOffset due, CancellationToken ct)
    {
        // Waiting until an instant (not for a span) keeps the schedule exact however late this runs.
        TimeSpan remaining;
        while ((remaining = due - _time.GetUtcNow()) > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _time, ct);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - _time.GetUtcNow() : null;
    }

    private static bool TryIndex(JsonElement item, int count, out int index)
    {
        index = -1;
        return item.ValueKind == JsonValueKind.Object && item.TryGetProperty("index", out var i) && i.TryGetInt32(out index) && index >= 0 && index < count;
    }

    private static string ErrorText(JsonElement errors)
    {
        if (errors.ValueKind != JsonValueKind.Object)
        {
            return errors.ToString();
        }

        var parts = new List<string>();
        foreach (var field in errors.EnumerateObject())
        {
            var messages = field.Value.ValueKind == JsonValueKind.Array
                ? string.Join(" ", field.Value.EnumerateArray().Select(m => m.ToString()))
                : field.Value.ToString();
            parts.Add($"{field.Name}: {messages}");
        }

        return string.Join("; ", parts);
    }

    private static string ProblemText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in (string[])["detail", "title"])
                {
                    if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        return Shorten(value.GetString()!);
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return body.Length == 0 ? "no details" : Shorten(body);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static string RefusalHint(int status) => status switch
    {
        (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden => " (check the camera API key, --api-key)",
        (int)HttpStatusCode.NotFound or (int)HttpStatusCode.MethodNotAllowed => " (check --server: it does not look like a Factory Pulse server)",
        _ => string.Empty,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server rejected event {EventId} ({Timestamp:O}); it is dropped and will not be resent: {Reason}")]
    private partial void LogRejected(string eventId, DateTimeOffset timestamp, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server acknowledged {Settled} of {Count} events; the rest stay buffered and will be resent")]
    private partial void LogPartial(int settled, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server refused a batch of {Count} with {Status}; retrying in batches of {Size} to isolate the cause ({Problem})")]
    private partial void LogSplit(int status, int count, int size, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server unreachable ({Reason}); retrying in {Delay:0.#} s and probing /health every {Probe:0.#} s; {Buffered} events buffered")]
    private partial void LogDown(string reason, double delay, double probe, int buffered);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Server still unreachable ({Reason}); next retry in {Delay:0.#} s")]
    private partial void LogStillDown(string reason, double delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server answered {Reason}; retrying in {Delay:0.#} s")]
    private partial void LogBusy(string reason, double delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Server refused the batch: {Reason}. This will not fix itself: {Buffered} events stay buffered; next attempt in {Delay:0.#} s")]
    private partial void LogRefused(string reason, int buffered, double delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server answers /health again; resuming with {Buffered} events buffered")]
    private partial void LogHealthy(int buffered);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server accepts events again (was {Previous})")]
    private partial void LogRecovered(ServerState previous);

    internal enum OutcomeKind
    {
        Delivered,
        Split,
        Busy,
        Unreachable,
        Refused,
    }

    internal sealed record Outcome(OutcomeKind Kind, string? Reason, TimeSpan? RetryAfter = null);
}
