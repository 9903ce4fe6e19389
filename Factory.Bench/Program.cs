using System.Diagnostics;
using System.Globalization;

namespace Factory.Bench;

/// <summary>
/// Console entry point of the benchmarks: <c>dotnet run -c Release --project Factory.Bench -- &lt;command&gt;</c>.
/// Each command is one benchmark; <c>all</c> runs every one in turn and prints each one's duration.
/// </summary>
internal static class BenchProgram
{
    private static readonly Dictionary<string, (string Description, Func<string[], Task<int>> Run)> Commands = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sqlite-floor"] = ("Raw SQLite insert rate of the same rows, without HTTP", IngestionBenchmark.FloorAsync),
        ["ingest-batch"] = ("Batch ingestion over HTTP, SQLite (batches of 1000, durable ack)", IngestionBenchmark.BatchAsync),
        ["ingest-single"] = ("Single-event ingestion, 50 cameras at 1000 req/s", IngestionBenchmark.SingleAsync),
        ["mqtt"] = ("MQTT ingestion (mosquitto on loopback) next to HTTP batch: throughput, publish-to-commit latency", MqttBenchmark.RunAsync),
        ["postgres-floor"] = ("Raw PostgreSQL insert rate of the same rows, inside the server (needs FACTORY_BENCH_POSTGRES)", PostgresFloorBenchmark.RunAsync),
        ["ingest-postgres"] = ("Batch ingestion over HTTP, PostgreSQL, against its floor (needs FACTORY_BENCH_POSTGRES)", IngestionBenchmark.BatchPostgresAsync),
        ["metrics"] = ("Metric query latency over 10 million stored events (100 workers)", MetricsBenchmark.RunAsync),
        ["data-quality"] = ("Data-quality report latency over a 24 h window (default 100,000 events; pass a count)", DataQualityBenchmark.RunAsync),
        ["live-push"] = ("Event POST to DOM update in a connected browser (Chromium)", BrowserBenchmark.LivePushAsync),
        ["fcp"] = ("First contentful paint of the overview, warm server (Chromium)", BrowserBenchmark.FcpAsync),
        ["viewers"] = ("200 connected dashboards (Blazor circuits) while ingesting 1000 events/s", ViewersBenchmark.RunAsync),
        ["alerts"] = ("Alert evaluation CPU: 200 rules, 100 workers, 1000 events/s (default 60 s; pass seconds)", AlertsBenchmark.RunAsync),
    };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || !(Commands.ContainsKey(args[0]) || args[0] == "all"))
        {
            Console.WriteLine("usage: Factory.Bench <command> [options]");
            Console.WriteLine($"  {"all",-16}run every benchmark, print each one's duration and a summary of the targets");
            foreach (var (name, (description, _)) in Commands)
            {
                Console.WriteLine($"  {name,-16}{description}");
            }

            return args.Length == 0 ? 0 : 2;
        }

        var rest = args[1..];
        if (args[0] != "all")
        {
            var single = Stopwatch.StartNew();
            var code = await Commands[args[0]].Run(rest);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{args[0]}: {single.Elapsed.TotalSeconds:0.0} s, exit code {code}"));
            return code;
        }

        var status = 0;
        var total = Stopwatch.StartNew();
        var durations = new List<(string Name, TimeSpan Duration, int Code)>();
        foreach (var (name, (_, run)) in Commands)
        {
            Console.WriteLine($"== {name} ({DateTime.UtcNow:HH:mm:ss} UTC, {BenchReport.LoadAverage()})");
            var clock = Stopwatch.StartNew();
            int code;
            try
            {
                code = await run(rest);
            }
            catch (Exception ex)
            {
                // One broken benchmark does not stop the others; its failure is in the summary and the exit code.
                Console.Error.WriteLine($"{name} failed: {ex}");
                code = 3;
            }

            durations.Add((name, clock.Elapsed, code));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== {name}: {clock.Elapsed.TotalSeconds:0.0} s, exit code {code}"));
            status = Math.Max(status, code);
        }

        Console.WriteLine();
        Console.WriteLine("| benchmark | duration | exit code |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (name, duration, code) in durations)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {duration.TotalSeconds:0.0} s | {code} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| **all** | **{total.Elapsed.TotalMinutes:0.0} min** | {status} |"));
        Console.WriteLine();
        Console.WriteLine("| target | workload | goal | measured | result | when |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var row in BenchReport.Recorded)
        {
            Console.WriteLine("| " + string.Join(" | ", row) + " |");
        }

        BenchReport.RecordRun(durations.Select(d => (d.Name, d.Duration, d.Code)).ToList(), total.Elapsed);
        return status;
    }
}
