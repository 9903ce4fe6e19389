using Factory.Core.Retry;

namespace Factory.Edge.Sending;

/// <summary>
/// What the sender believes about its peer (<see cref="ServerState"/>) and when it tries next: failures move it to
/// Down, Busy or Refusing with a backoff delay (or the peer's Retry-After); while Down, a probe is due every
/// <see cref="SenderOptions.HealthProbeInterval"/>; success moves it back to Up. All instants come from the
/// <see cref="TimeProvider"/>, so a test can drive the schedule exactly.
/// </summary>
internal sealed class ServerStateMachine(SenderOptions options, ExponentialBackoff backoff, TimeProvider time)
{
    private readonly Lock _gate = new();
    private ServerState _state;
    private int _failures;
    private DateTimeOffset? _nextAttemptAt;
    private DateTimeOffset? _nextWakeAt;
    private DateTimeOffset? _nextProbeAt;
    private long _waits;
    private string? _lastError;

    /// <summary>The state and schedule right now.</summary>
    public (ServerState State, int Failures, DateTimeOffset? NextAttemptAt, DateTimeOffset? NextWakeAt, long Waits, string? LastError) Snapshot
    {
        get
        {
            lock (_gate)
            {
                return (_state, _failures, _nextAttemptAt, _nextWakeAt, _waits, _lastError);
            }
        }
    }

    /// <summary>Records a failed attempt and schedules the next: returns the delay and whether the peer just went down.</summary>
    public (TimeSpan Delay, bool EnteringDown) Failed(ServerState state, string reason, TimeSpan? retryAfter)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _failures++;
            var enteringDown = state == ServerState.Down && _state != ServerState.Down;
            if (state == ServerState.Down && (_nextProbeAt is null || enteringDown))
            {
                _nextProbeAt = now + options.HealthProbeInterval;
            }

            _state = state;
            _lastError = reason;
            var delay = retryAfter is { } after
                ? TimeSpan.FromTicks(Math.Clamp(after.Ticks, 0, options.MaxBackoff.Ticks))
                : backoff.Next(_failures);
            _nextAttemptAt = now + delay;
            return (delay, enteringDown);
        }
    }

    /// <summary>The next instant to wake at: the retry, or an earlier probe while down.</summary>
    public (DateTimeOffset RetryAt, DateTimeOffset WakeAt) NextWake(bool probe)
    {
        lock (_gate)
        {
            var retryAt = _nextAttemptAt!.Value;
            var wakeAt = probe && _nextProbeAt is { } p && p < retryAt ? p : retryAt;
            _nextWakeAt = wakeAt;
            _waits++;
            return (retryAt, wakeAt);
        }
    }

    public bool ProbeDue()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            return now >= _nextProbeAt;
        }
    }

    public void ProbeFailed()
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            _nextProbeAt = now + options.HealthProbeInterval;
        }
    }

    /// <summary>The peer answered: back to Up; returns the state it was in.</summary>
    public ServerState Recovered()
    {
        lock (_gate)
        {
            var previous = _state;
            _state = ServerState.Up;
            _failures = 0;
            _nextAttemptAt = null;
            _nextWakeAt = null;
            _nextProbeAt = null;
            _lastError = null;
            return previous;
        }
    }
}
