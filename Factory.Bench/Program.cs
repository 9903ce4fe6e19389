namespace Factory.Bench;

/// <summary>
/// Console entry point of the benchmarks: <c>dotnet run -c Release --project Factory.Bench -- &lt;command&gt;</c>.
/// Each command is one benchmark; <c>all</c> runs every one in turn.
/// </summary>
internal static class BenchProgram
{
    private static readonly Dictionary<string, (string Description, Func<string[], Task<int>> Run)> Commands = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ingest-batch"] = ("Batch ingestion over HTTP, SQLite (batches of 1000, durable ack)", IngestionBenchmark.BatchAsync),
        ["ingest-single"] = ("Single-event ingestion, 50 cameras at 1000 req/s", IngestionBenchmark.SingleAsync),
        ["sqlite-floor"] = ("Raw SQLite insert rate of the same rows, without HTTP", IngestionBenchmark.FloorAsync),
        ["ingest-postgres"] = ("Batch ingestion over HTTP, PostgreSQL (needs FACTORY_BENCH_POSTGRES)", IngestionBenchmark.BatchPostgresAsync),
        ["metrics"] = ("Metric query latency over 10 million stored events (100 workers)", MetricsBenchmark.RunAsync),
        ["data-quality"] = ("Data-quality report latency over a 24 h window (default 100,000 events; pass a count)", DataQualityBenchmark.RunAsync),
    };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || !(Commands.ContainsKey(args[0]) || args[0] == "all"))
        {
            Console.WriteLine("usage: Factory.Bench <command> [options]");
            Console.WriteLine("  all".PadRight(12) + "run every benchmark");
            foreach (var (name, (description, _)) in Commands)
            {
                Console.WriteLine($"  {name,-10}{description}");
            }

            return args.Length == 0 ? 0 : 2;
        }

        var rest = args[1..];
        if (args[0] != "all")
        {
            return await Commands[args[0]].Run(rest);
        }

        var status = 0;
        foreach (var (name, (_, run)) in Commands)
        {
            Console.WriteLine($"== {name}");
            status = Math.Max(status, await run(rest));
        }

        return status;
    }
}
