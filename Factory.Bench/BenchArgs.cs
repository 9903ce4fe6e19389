using System.Globalization;

namespace Factory.Bench;

/// <summary>Command-line options of the benchmarks (<c>--name value</c>).</summary>
internal static class BenchArgs
{
    public static int Int(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    public static bool Flag(string[] args, string name) => args.Contains(name);
}
