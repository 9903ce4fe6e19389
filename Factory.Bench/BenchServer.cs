using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Factory.Bench;

/// <summary>Factory.Web (Release build) as a child process on a loopback port, with bench keys and a fresh data folder.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    public const string CameraKey = "bench-camera-key";
    public const string AdminKey = "bench-admin-key";

    private readonly Process _process;

    private BenchServer(Process process, int port, string dataFolder)
    {
        _process = process;
        Port = port;
        DataFolder = dataFolder;
    }

    public int Port { get; }

    public string DataFolder { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public int ProcessId => _process.Id;

    /// <summary>Resident set size of the server process, in MiB.</summary>
    public double RssMiB => Status("VmRSS");

    /// <summary>Peak resident set size of the server process since it started (the kernel's high-water mark), in MiB.</summary>
    public double PeakRssMiB => Status("VmHWM");

    /// <summary>CPU time the server process has used so far (user + system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>A memory line of /proc/&lt;pid&gt;/status (in kB there), in MiB; falls back to the working set elsewhere.</summary>
    private double Status(string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                    return kb / 1024.0;
                }
            }
        }
        catch (IOException)
        {
        }

        _process.Refresh();
        return _process.WorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>Waits until the demo seed (Seed:OnEmptyDatabase) has stored events, so pages show realistic data.</summary>
    public async Task WaitForSeedAsync()
    {
        using var client = CreateClient(AdminKey);
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

    /// <param name="environment">
    /// Production by default. The browser benchmarks use Development: outside it, a build (as opposed to a publish)
    /// does not serve the framework's and packages' static files (blazor.web.js, MudBlazor's CSS and JS).
    /// </param>
    public static async Task<BenchServer> StartAsync(IDictionary<string, string>? settings = null, string environment = "Production")
    {
        var port = FreePort();
        var dataFolder = Path.Combine(Path.GetTempPath(), "factory-bench", "server-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataFolder);
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Factory.Web.dll"), "--urls", $"http://127.0.0.1:{port}", "--contentRoot", ContentRoot() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["Database__DataFolder"] = dataFolder,
            ["Seed__OnEmptyDatabase"] = "false",
            ["Simulator__Enabled"] = "false",
            ["Auth__PermitsPerSecond"] = "1000000",
            ["Auth__Burst"] = "1000000",
            ["Auth__Keys__0__Name"] = "bench-camera",
            ["Auth__Keys__0__Role"] = "camera",
            ["Auth__Keys__0__Hash"] = Factory.Web.Security.ApiKeyEntry.HashKey(CameraKey),
            ["Auth__Keys__1__Name"] = "bench-admin",
            ["Auth__Keys__1__Role"] = "admin",
            ["Auth__Keys__1__Hash"] = Factory.Web.Security.ApiKeyEntry.HashKey(AdminKey),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            env[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        // Runtime settings for the server only (e.g. DOTNET_gcServer=0;DOTNET_GCConserveMemory=5), to compare configurations.
        foreach (var pair in (Environment.GetEnvironmentVariable("FACTORY_BENCH_SERVER_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (name, value) = (pair.Split('=', 2)[0], pair.Split('=', 2).ElementAtOrDefault(1) ?? "");
            env[name] = value;
            Console.WriteLine($"server environment: {name}={value}");
        }

        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start Factory.Web.");
        // The server logs compact JSON to stdout; warnings and errors (lines with a level, "@l") are shown.
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && e.Data.Contains("\"@l\":", StringComparison.Ordinal))
            {
                Console.Error.WriteLine("server: " + e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new BenchServer(process, port, dataFolder);
        Console.WriteLine($"server pid {process.Id} on {server.BaseAddress}");

        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("Factory.Web exited during start-up.");
            }

            try
            {
                using var response = await probe.GetAsync("health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new TimeoutException("Factory.Web did not become ready.");
    }

    public HttpClient CreateClient(string key)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(DataFolder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ContentRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Factory.Web");
            if (File.Exists(Path.Combine(candidate, "Factory.Web.csproj")))
            {
                return candidate;
            }
        }

        return AppContext.BaseDirectory;
    }
}
