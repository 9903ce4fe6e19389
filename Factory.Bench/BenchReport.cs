using System.Globalization;
using System.Runtime.InteropServices;

namespace Factory.Bench;

/// <summary>Appends a benchmark's table to docs/benchmarks.md with the machine it ran on and the command.</summary>
internal static class BenchReport
{
    public static string Machine()
    {
        var cpu = "unknown CPU";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }

        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores ({cpu}), {memory:0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }

    /// <summary>Prints the table and appends it under a dated heading to docs/benchmarks.md.</summary>
    public static void Append(string title, string command, IEnumerable<string> notes, string table)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"\n### {title} — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC\n\nMachine: {Machine()}  \nCommand: `{command}`\n\n{table}\n{string.Concat(notes.Select(n => $"\n- {n}"))}\n");
        Console.WriteLine(text);
        var path = Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.AppendAllText(path, text);
    }

    /// <summary>A two-column Markdown table.</summary>
    public static string Table(params (string Name, string Value)[] rows) =>
        "| measure | value |\n|---|---|\n" + string.Join("\n", rows.Select(r => $"| {r.Name} | {r.Value} |"));

    public static string Verdict(bool pass) => pass ? "**pass**" : "**FAIL**";

    /// <summary>Target rows recorded by this process, for the summary that <c>all</c> prints at the end.</summary>
    public static List<string[]> Recorded { get; } = [];

    private const string TargetsStart = "<!-- targets:start -->";
    private const string TargetsEnd = "<!-- targets:end -->";
    private const string TargetsHeader = "| target | workload | goal (2 cores) | measured | result | when (UTC), load average |\n|---|---|---|---|---|---|";

    /// <summary>
    /// Puts the latest value of one performance target into the summary table at the head of docs/benchmarks.md
    /// (between the targets markers), replacing the previous row of that target.
    /// </summary>
    public static void RecordTarget(string target, string workload, string goal, string measured, bool pass)
    {
        var load = LoadAverage();
        var row = new[] { target, workload, goal, measured, Verdict(pass), string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm}, {load}") };
        Recorded.Add(row);
        var path = Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
        var text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        var start = text.IndexOf(TargetsStart, StringComparison.Ordinal);
        var end = text.IndexOf(TargetsEnd, StringComparison.Ordinal);
        var rows = new List<string>();
        if (start < 0 || end < start)
        {
            var firstLineEnd = text.IndexOf('\n', StringComparison.Ordinal) + 1;
            text = text[..firstLineEnd] + "\n" + TargetsStart + "\n" + TargetsEnd + "\n" + text[firstLineEnd..];
            start = text.IndexOf(TargetsStart, StringComparison.Ordinal);
            end = text.IndexOf(TargetsEnd, StringComparison.Ordinal);
        }
        else
        {
            rows.AddRange(text[(start + TargetsStart.Length)..end].Split('\n')
                .Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| target |", StringComparison.Ordinal)));
        }

        var line = "| " + string.Join(" | ", row) + " |";
        var at = rows.FindIndex(l => l.StartsWith("| " + target + " |", StringComparison.Ordinal));
        if (at >= 0)
        {
            rows[at] = line;
        }
        else
        {
            rows.Add(line);
        }

        rows.Sort((a, b) => Order(a).CompareTo(Order(b)));
        var table = TargetsStart + "\n" + TargetsHeader + "\n" + string.Join("\n", rows) + "\n";
        File.WriteAllText(path, text[..start] + table + text[end..]);
    }

    /// <summary>Appends the durations of a full run (<c>all</c>) to docs/benchmarks.md.</summary>
    public static void RecordRun(IReadOnlyList<(string Name, TimeSpan Duration, int Code)> durations, TimeSpan total)
    {
        var table = "| benchmark | duration | exit code |\n|---|---:|---:|\n"
            + string.Concat(durations.Select(d => string.Create(CultureInfo.InvariantCulture, $"| {d.Name} | {d.Duration.TotalSeconds:0.0} s | {d.Code} |\n")))
            + string.Create(CultureInfo.InvariantCulture, $"| **all** | **{total.TotalMinutes:0.0} min** | {durations.Max(d => d.Code)} |");
        Append("Full run (`all`)", "dotnet run -c Release --project Factory.Bench -- all",
            ["Each benchmark starts its own server process on a fresh data folder; `metrics` reuses its cached 10 M-event database.", $"Load average at the end: {LoadAverage()}."], table);
    }

    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load {parts[0]}";
        }
        catch (IOException)
        {
            return "load unknown";
        }
    }

    private static readonly string[] TargetOrder = ["batch ingestion, SQLite", "SQLite floor", "batch ingestion, PostgreSQL", "PostgreSQL floor", "single-event ingestion", "metrics queries", "live push", "dashboard", "many viewers"];

    private static int Order(string row)
    {
        var i = Array.FindIndex(TargetOrder, t => row.StartsWith("| " + t + " |", StringComparison.Ordinal));
        return i < 0 ? TargetOrder.Length : i;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Factory.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
