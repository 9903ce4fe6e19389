using System.Runtime.InteropServices;
using Factory.Edge.Cli;
using Microsoft.Extensions.Logging;

namespace Factory.Edge;

/// <summary>Console entry point of the camera-side client: <c>dotnet run --project Factory.Edge -- --help</c>.</summary>
internal static class EdgeProgram
{
    public static async Task<int> Main(string[] args)
    {
        var settings = EdgeCommandLine.Parse(args, out var help, out var error);
        if (help)
        {
            Console.WriteLine(EdgeCommandLine.Help);
            return 0;
        }

        if (settings is null)
        {
            await Console.Error.WriteLineAsync($"{error}\nRun with --help to see every option.");
            return 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // The first Ctrl+C stops cleanly (the buffer is closed, nothing is lost); a second one kills.
            e.Cancel = !cts.IsCancellationRequested;
            cts.Cancel();
        };

        // A service manager stops the box with SIGTERM: close the buffer as cleanly as on Ctrl+C.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cts.Cancel();
        });

        using var logging = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            }));
        return await new EdgeRunner(settings, TimeProvider.System, logging, Console.Out).RunAsync(cts.Token);
    }
}
