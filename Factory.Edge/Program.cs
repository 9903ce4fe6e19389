namespace Factory.Edge;

/// <summary>Console entry point of the camera-side client.</summary>
internal static class EdgeProgram
{
    public static int Main(string[] args)
    {
        Console.WriteLine("Factory.Edge");
        return args.Length == 0 ? 0 : 0;
    }
}
