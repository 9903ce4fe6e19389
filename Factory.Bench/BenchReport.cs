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
