using System.Globalization;
using Factory.Edge.Sending;

namespace Factory.Edge.Cli;

/// <summary>The one-line summary the console prints every few seconds.</summary>
public static class StatusLine
{
    public static string Format(DateTimeOffset now, int buffered, long dropped, DateTimeOffset? oldest, SenderStatus sender)
    {
        var lag = oldest is { } o ? Duration(now - o) : "-";
        var server = sender.State switch
        {
            ServerState.Unknown => "unknown",
            ServerState.Up => "up",
            ServerState.Down => "DOWN",
            ServerState.Busy => "busy",
            _ => "REFUSING",
        };
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{now:HH:mm:ss}] server {server,-8} buffered {buffered,7:N0}  sent {sender.Accepted,9:N0}  duplicates {sender.Duplicates:N0}  retries {sender.Retries:N0}  dropped {dropped:N0}  rejected {sender.Rejected:N0}  oldest lag {lag}");
        if (sender.State != ServerState.Up && sender.NextAttemptAt is { } next)
        {
            line += string.Create(CultureInfo.InvariantCulture, $"  next try in {Duration(next - now)}");
        }

        return sender.LastError is { } error && sender.State != ServerState.Up ? line + $"  ({error})" : line;
    }

    private static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalSeconds < 60
            ? span.TotalSeconds.ToString("0.0' s'", CultureInfo.InvariantCulture)
            : span.TotalMinutes < 60
                ? span.TotalMinutes.ToString("0.0' min'", CultureInfo.InvariantCulture)
                : span.TotalHours.ToString("0.0' h'", CultureInfo.InvariantCulture);
    }
}
