using Factory.Tests.Infrastructure;

namespace Factory.Bench;

/// <summary>
/// How the benchmarks start Factory.Web (the Release build next to them): the suite's <see cref="ServerProcess"/>,
/// in Production by default, with a fresh data folder, echoing the server's errors.
/// </summary>
internal static class BenchServer
{
    /// <summary>The role of the key a camera client carries (<see cref="ServerProcess.CreateClient"/>).</summary>
    public const string CameraKey = "camera";

    /// <summary>The role of the key an admin client carries.</summary>
    public const string AdminKey = "admin";

    /// <param name="environment">
    /// Production by default. The browser benchmarks use Development: outside it, a build (as opposed to a publish)
    /// does not serve the framework's and packages' static files (blazor.web.js, MudBlazor's CSS and JS).
    /// </param>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string>? settings = null, string environment = "Production")
    {
        // Benchmarks measure the server, not its guards: pages open without sign-in, one address may open every
        // dashboard the viewers benchmark needs, and concurrent reads are not queued. A caller's settings win.
        var effective = new Dictionary<string, string>
        {
            ["Auth:RequireViewer"] = "false",
            ["Limits:CircuitsPerClient"] = "100000",
            ["Limits:HeavyReads"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            effective[key] = value;
        }

        // Runtime settings for the server only (e.g. DOTNET_gcServer=0;DOTNET_GCConserveMemory=5), to compare configurations.
        foreach (var pair in (Environment.GetEnvironmentVariable("FACTORY_BENCH_SERVER_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2);
            effective[parts[0]] = parts.ElementAtOrDefault(1) ?? "";
            Console.WriteLine($"server environment: {pair}");
        }

        var folder = Path.Combine(Path.GetTempPath(), "factory-bench", "server-" + Guid.NewGuid().ToString("N"));
        var server = new ServerProcess(folder, effective, environment) { OnError = line => Console.Error.WriteLine("server: " + line) };
        try
        {
            await server.StartAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        Console.WriteLine($"server pid {server.ProcessId} on {server.BaseAddress}");
        return server;
    }

    /// <summary>Waits until the demo seed (Seed:OnEmptyDatabase) has stored events, so pages show realistic data.</summary>
    public static async Task WaitForSeedAsync(this ServerProcess server)
    {
        using var client = server.CreateClient(AdminKey);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var page = await client.GetStringAsync("api/events?limit=1");
            if (page.Contains("\"id\"", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The demo seed stored no events within 2 minutes.");
    }
}
