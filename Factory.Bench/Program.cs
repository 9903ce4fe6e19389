namespace Factory.Bench;

/// <summary>Console entry point of the benchmarks.</summary>
internal static class BenchProgram
{
    public static int Main(string[] args)
    {
        Console.WriteLine("Factory.Bench");
        return args.Length == 0 ? 0 : 0;
    }
}
