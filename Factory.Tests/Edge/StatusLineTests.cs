using Factory.Edge.Cli;
using Factory.Edge.Sending;

namespace Factory.Tests.Edge;

public sealed class StatusLineTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 21, 15, 0, 0, TimeSpan.Zero);

    private static SenderStatus Status(ServerState state, DateTimeOffset? next = null, string? error = null) =>
        new(state, Requests: 40, Accepted: 3900, Duplicates: 12, Rejected: 2, Retries: 5, HealthProbes: 1, ConsecutiveFailures: 0,
            BatchSize: 100, NextAttemptAt: next, NextWakeAt: next, Waits: 5, LastError: error);

    [Fact]
    public void A_healthy_line_shows_every_counter_and_the_lag_of_the_oldest_buffered_event()
    {
        var line = StatusLine.Format(Now, buffered: 1234, dropped: 7, oldest: Now.AddSeconds(-2.5), Status(ServerState.Up));

        Assert.Equal("[15:00:00] server up       buffered   1,234  sent     3,900  duplicates 12  retries 5  dropped 7  rejected 2  oldest lag 2.5 s", line);
    }

    [Fact]
    public void A_down_server_line_says_when_the_next_try_is_and_why()
    {
        var line = StatusLine.Format(Now, buffered: 0, dropped: 0, oldest: null, Status(ServerState.Down, Now.AddMinutes(2), "network error: Connection refused"));

        Assert.EndsWith("oldest lag -  next try in 2.0 min  (network error: Connection refused)", line, StringComparison.Ordinal);
        Assert.Contains("server DOWN", line, StringComparison.Ordinal);
    }
}
