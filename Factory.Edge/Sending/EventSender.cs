using Factory.Core.Retry;
using Factory.Edge.Buffer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Factory.Edge.Sending;

/// <summary>
/// Uploads buffered events in batches through a transport (HTTP or MQTT) and deletes only what was acknowledged.
/// Failures of a whole send are retried with exponential backoff; while the peer is unreachable it is probed and
/// sending resumes as soon as it answers. Items refused one by one are dropped with the reason logged, so that one
/// bad event never blocks the queue. The parts: <see cref="IBatchTransport"/> sends, <see cref="BatchSizePolicy"/>
/// sizes, <see cref="ServerStateMachine"/> schedules, <see cref="SenderCounters"/> counts; this loop ties them.
/// </summary>
public sealed partial class EventSender
{
    private readonly IBatchTransport _transport;
    private readonly EventBuffer _buffer;
    private readonly SenderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly BatchSizePolicy _batchSize;
    private readonly ServerStateMachine _state;
    private readonly SenderCounters _counters = new();

    /// <summary>A sender over HTTP (<c>POST /api/events/batch</c>) with <paramref name="http"/>'s base address as the server.</summary>
    public EventSender(HttpClient http, EventBuffer buffer, SenderOptions options, TimeProvider? time = null, ILogger? logger = null, Random? random = null)
        : this(new HttpBatchTransport(http, options.ApiKey, options.RequestTimeout, time), buffer, options, time, logger, random)
    {
    }

    public EventSender(IBatchTransport transport, EventBuffer buffer, SenderOptions options, TimeProvider? time = null, ILogger? logger = null, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.HealthProbeInterval, TimeSpan.Zero);
        _transport = transport;
        _buffer = buffer;
        _options = options;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _batchSize = new BatchSizePolicy(options.BatchSize);
        _state = new ServerStateMachine(options, new ExponentialBackoff(options.InitialBackoff, options.MaxBackoff, options.Jitter, random), _time);
    }

    /// <summary>Counters and state right now.</summary>
    public SenderStatus Status
    {
        get
        {
            var s = _state.Snapshot;
            return new SenderStatus(s.State, _counters.Requests, _counters.Accepted, _counters.Duplicates, _counters.Rejected, _counters.Retries,
                _counters.Probes, s.Failures, _batchSize.Size, s.NextAttemptAt, s.NextWakeAt, s.Waits, s.LastError);
        }
    }

    /// <summary>Sends until <paramref name="ct"/> is cancelled; returns normally then (buffered events stay buffered).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var batch = _buffer.Peek(_batchSize.Size);
                if (batch.Count == 0)
                {
                    await _buffer.WaitForEventsAsync(_options.IdlePoll, ct);
                    continue;
                }

                _counters.Request();
                var delivery = await _transport.SendAsync(batch, ct);
                ct.ThrowIfCancellationRequested();
                Settle(batch, delivery.Settled);
                switch (delivery.Kind)
                {
                    case DeliveryKind.Settled:
                        Recovered(log: true);
                        break;
                    case DeliveryKind.Unacceptable when _batchSize.TrySplit(batch.Count):
                        LogSplit(_transport.Peer, batch.Count, _batchSize.Size, delivery.Reason!);
                        break;
                    case DeliveryKind.Unacceptable:
                        // The culprit is alone: drop it with the reason, and go back to full batches.
                        Settle(batch, [new ItemSettlement(0, ItemFate.Rejected, delivery.Reason)]);
                        _batchSize.Reset();
                        Recovered(log: true);
                        break;
                    case DeliveryKind.Busy:
                        await RetryLaterAsync(ServerState.Busy, delivery, probe: false, ct);
                        break;
                    case DeliveryKind.Unreachable:
                        await RetryLaterAsync(ServerState.Down, delivery, probe: true, ct);
                        break;
                    case DeliveryKind.Refused:
                        await RetryLaterAsync(ServerState.Refusing, delivery, probe: false, ct);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes the settled items from the buffer, counts them and logs each rejected one.</summary>
    private void Settle(IReadOnlyList<BufferedEvent> batch, IReadOnlyList<ItemSettlement>? settled)
    {
        if (settled is not { Count: > 0 })
        {
            return;
        }

        _buffer.Remove(settled.Select(s => batch[s.Index].Sequence).ToList());
        foreach (var s in settled)
        {
            _counters.Settled(s.Fate);
            if (s.Fate == ItemFate.Rejected)
            {
                LogRejected(_transport.Peer, batch[s.Index].EventId, batch[s.Index].Timestamp, s.Reason ?? "no reason given");
            }
        }

        if (settled.Count < batch.Count)
        {
            LogPartial(_transport.Peer, settled.Count, batch.Count);
        }
    }

    private async Task RetryLaterAsync(ServerState state, Delivery delivery, bool probe, CancellationToken ct)
    {
        _counters.Retry();
        var reason = delivery.Reason ?? "no reason given";
        var (delay, enteringDown) = _state.Failed(state, reason, delivery.RetryAfter);
        switch (state)
        {
            case ServerState.Down when enteringDown:
                LogDown(_transport.Peer, reason, delay.TotalSeconds, _transport.Probe, _options.HealthProbeInterval.TotalSeconds, _buffer.Count);
                break;
            case ServerState.Down:
                LogStillDown(_transport.Peer, reason, delay.TotalSeconds);
                break;
            case ServerState.Busy:
                LogBusy(_transport.Peer, reason, delay.TotalSeconds);
                break;
            default:
                LogRefused(_transport.Peer, reason, _buffer.Count, delay.TotalSeconds);
                break;
        }

        while (true)
        {
            var (retryAt, wakeAt) = _state.NextWake(probe);
            await DelayUntilAsync(wakeAt, ct);
            if (probe && _state.ProbeDue())
            {
                _counters.Probe();
                if (await _transport.ProbeAsync(ct))
                {
                    LogHealthy(_transport.Peer, _transport.Probe, _buffer.Count);
                    Recovered(log: false);
                    return;
                }

                _state.ProbeFailed();
            }

            if (_time.GetUtcNow() >= retryAt)
            {
                return;
            }
        }
    }

    private void Recovered(bool log)
    {
        var previous = _state.Recovered();
        if (log && previous is ServerState.Busy or ServerState.Refusing or ServerState.Down)
        {
            LogRecovered(_transport.Peer, previous);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Peer} rejected event {EventId} ({Timestamp:O}); it is dropped and will not be resent: {Reason}")]
    private partial void LogRejected(string peer, string eventId, DateTimeOffset timestamp, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Peer} acknowledged {Settled} of {Count} events; the rest stay buffered and will be resent")]
    private partial void LogPartial(string peer, int settled, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Peer} refused a batch of {Count}; retrying in batches of {Size} to isolate the cause ({Problem})")]
    private partial void LogSplit(string peer, int count, int size, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Peer} unreachable ({Reason}); retrying in {Delay:0.#} s and probing {Probe} every {Interval:0.#} s; {Buffered} events buffered")]
    private partial void LogDown(string peer, string reason, double delay, string probe, double interval, int buffered);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Peer} still unreachable ({Reason}); next retry in {Delay:0.#} s")]
    private partial void LogStillDown(string peer, string reason, double delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Peer} answered {Reason}; retrying in {Delay:0.#} s")]
    private partial void LogBusy(string peer, string reason, double delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Peer} refused the batch: {Reason}. This will not fix itself: {Buffered} events stay buffered; next attempt in {Delay:0.#} s")]
    private partial void LogRefused(string peer, string reason, int buffered, double delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Peer} answers {Probe} again; resuming with {Buffered} events buffered")]
    private partial void LogHealthy(string peer, string probe, int buffered);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Peer} accepts events again (was {Previous})")]
    private partial void LogRecovered(string peer, ServerState previous);
}
