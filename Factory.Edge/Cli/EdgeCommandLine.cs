using System.Globalization;
using Factory.Edge.Simulation;

namespace Factory.Edge.Cli;

/// <summary>Parses the console's options; every error message names the option and what it accepts.</summary>
public static class EdgeCommandLine
{
    public const string Help = """
        Factory Pulse edge client: simulates AI cameras and sends their events to a Factory Pulse server
        through a local store-and-forward buffer, so no event is lost while the server or network is down.

        Usage: dotnet run --project Factory.Edge -- [options]

        Options:
          --server <url>          Server base address. Default: http://localhost:5000
          --source <kind>         simple: steady cameras at --rate (working/idle/absent spells, products
                                  while working). demo: the shared demo-data generator (shift patterns,
                                  breaks, a model upgrade, a drifting camera, late events; workers off
                                  shift send nothing; --cameras and --rate do not apply). Default: simple
          --cameras <n>           Simulated cameras, 1-6. Camera CAM-0n watches worker Wn at station Sn
                                  (the server's default registry). Default: 6
          --rate <events/s>       Events per second per camera, e.g. 0.2, 2 or 50. Default: 1
          --api-key <key>         Camera key sent as X-Api-Key; a Development server accepts demo-camera-key.
                                  Default: the FACTORY_EDGE_API_KEY environment variable (keeps the key out
                                  of process listings), else none
          --mqtt <host[:port]>    Publish to this MQTT broker instead of posting to --server: QoS 1, one message
                                  per camera on its topic; an event leaves the buffer after the broker's PUBACK.
                                  Port default: 1883, or 8883 with --mqtt-tls
          --mqtt-username <name>  Broker user name. Default: none
          --mqtt-password <pw>    Broker password. Default: the FACTORY_EDGE_MQTT_PASSWORD environment variable
          --mqtt-tls              Connect to the broker with TLS (the flag takes no value)
          --mqtt-topic <filter>   Topic filter whose + level is the camera id. Default: factory/+/events
          --buffer <path>         SQLite buffer file. Events left in it by an earlier run are sent first.
                                  Default: edge-buffer.db
          --max-buffer <n>        Most events kept while the server is unreachable; beyond it the oldest
                                  are dropped (counted in the status line and logged). Default: 100000
          --batch-size <n>        Most events per request, 1-1000. Default: 100
          --duration <time>       Stop generating after this long (e.g. 90s, 5m, 1h, 00:10:00), then keep
                                  sending for up to 10 s while the server takes events, and exit. Default: run until Ctrl+C
          --seed <n>              Random seed for reproducible camera data. Default: random
          --status-every <time>   How often the status line is printed. Default: 5s
          --help                  Show this text.

        Status line: buffered = events waiting locally; sent = stored by the server (with --mqtt: taken by the
        broker, PUBACK); duplicates = resent events the server already had (harmless); retries = failed
        requests that will be retried; dropped = oldest events discarded because the buffer was full;
        rejected = events the server refused as invalid (logged with the reason, not resent); lag = age of
        the oldest buffered event; server = up, down (unreachable, probing /health, or the broker with a new
        CONNECT, every 30 s), busy (5xx/429, or no subscriber on the broker) or refusing (e.g. bad key or
        broker credentials).

        Retries back off exponentially (1 s, 2 s, 4 s ... at most 5 min, with jitter).
        Exit codes: 0 done, 2 bad options.
        """;

    public const string ApiKeyVariable = "FACTORY_EDGE_API_KEY";

    public const string MqttPasswordVariable = "FACTORY_EDGE_MQTT_PASSWORD";

    /// <summary>The settings, or null with <paramref name="error"/> set; <paramref name="help"/> when --help was asked for.</summary>
    public static EdgeSettings? Parse(IReadOnlyList<string> args, out bool help, out string? error)
    {
        help = false;
        error = null;
        var settings = new EdgeSettings
        {
            ApiKey = NullIfEmpty(Environment.GetEnvironmentVariable(ApiKeyVariable)),
            MqttPassword = NullIfEmpty(Environment.GetEnvironmentVariable(MqttPasswordVariable)),
        };
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                help = true;
                return settings;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"Unexpected argument '{arg}'; options start with --.";
                return null;
            }

            if (arg == "--mqtt-tls")
            {
                settings = settings with { MqttTls = true };
                continue;
            }

            string name, value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg;
                if (i + 1 >= args.Count)
                {
                    error = $"Option {name} needs a value.";
                    return null;
                }

                value = args[++i];
            }

            settings = Apply(settings, name, value, out error);
            if (error is not null)
            {
                return null;
            }
        }

        return ResolveBroker(settings, out error);
    }

    /// <summary>The broker is read last: its default port depends on --mqtt-tls, wherever that flag stands.</summary>
    private static EdgeSettings? ResolveBroker(EdgeSettings s, out string? error)
    {
        error = null;
        if (s.Mqtt is null)
        {
            return s;
        }

        if (!Factory.Core.Mqtt.MqttBroker.TryParse(s.Mqtt, s.MqttTls, s.MqttUsername, s.MqttPassword, out var broker, out var brokerError))
        {
            error = $"--mqtt: {brokerError}";
            return null;
        }

        return s with { Broker = broker };
    }

    private static EdgeSettings Apply(EdgeSettings s, string name, string value, out string? error)
    {
        error = null;
        switch (name)
        {
            case "--server":
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    error = $"--server must be an http or https address such as http://localhost:5000, not '{value}'.";
                    return s;
                }

                return s with { Server = uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/") };
            case "--source":
                if (value is not ("simple" or "demo"))
                {
                    error = $"--source must be simple or demo, not '{value}'.";
                    return s;
                }

                return s with { Source = value };
            case "--cameras":
                return Int(value, name, 1, SimulatedCameras.MaxCameras, out var cameras, out error) ? s with { Cameras = cameras } : s;
            case "--rate":
                if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || !(rate > 0) || rate > 10_000)
                {
                    error = $"--rate must be a number of events per second per camera above 0 and at most 10000, not '{value}'.";
                    return s;
                }

                return s with { Rate = rate };
            case "--api-key":
                return s with { ApiKey = value };
            case "--mqtt":
                return s with { Mqtt = value };
            case "--mqtt-username":
                return s with { MqttUsername = value };
            case "--mqtt-password":
                return s with { MqttPassword = value };
            case "--mqtt-topic":
                if (!Factory.Core.Mqtt.MqttTopicFilter.TryParse(value, out _, out var topicError))
                {
                    error = $"--mqtt-topic {topicError}";
                    return s;
                }

                return s with { MqttTopic = value };
            case "--buffer":
                if (string.IsNullOrWhiteSpace(value))
                {
                    error = "--buffer must be a file path.";
                    return s;
                }

                return s with { BufferPath = value };
            case "--max-buffer":
                return Int(value, name, 1, 100_000_000, out var max, out error) ? s with { MaxBuffer = max } : s;
            case "--batch-size":
                return Int(value, name, 1, 1000, out var batch, out error) ? s with { BatchSize = batch } : s;
            case "--duration":
                return Time(value, name, out var duration, out error) ? s with { Duration = duration } : s;
            case "--status-every":
                return Time(value, name, out var every, out error) ? s with { StatusEvery = every } : s;
            case "--seed":
                return Int(value, name, int.MinValue, int.MaxValue, out var seed, out error) ? s with { Seed = seed } : s;
            default:
                error = $"Unknown option '{name}'; see --help.";
                return s;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool Int(string value, string name, int min, int max, out int result, out string? error)
    {
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out result) && result >= min && result <= max)
        {
            error = null;
            return true;
        }

        error = $"{name} must be a whole number from {min} to {max}, not '{value}'.";
        return false;
    }

    /// <summary>Accepts 90s, 5m, 1.5h, 250ms or a time span such as 00:10:00.</summary>
    internal static bool Time(string value, string name, out TimeSpan result, out string? error)
    {
        error = null;
        var v = value.Trim().ToLowerInvariant();
        (string Suffix, double Seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, seconds) in units)
        {
            if (v.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(v[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0 && n * seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
            {
                result = TimeSpan.FromSeconds(n * seconds);
                return true;
            }
        }

        if (TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out result) && result > TimeSpan.Zero)
        {
            return true;
        }

        error = $"{name} must be a positive duration such as 90s, 5m, 1h or 00:10:00, not '{value}'.";
        return false;
    }
}
