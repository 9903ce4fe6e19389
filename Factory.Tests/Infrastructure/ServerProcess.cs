using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Factory.Tests.Infrastructure;

/// <summary>
/// Factory.Web as a separate operating-system process on a loopback port, for tests that must kill it
/// (<c>kill -9</c>) or drive it from a real client, and for the benchmarks (this file is linked into Factory.Bench).
/// It keeps its data folder across restarts and is configured by environment variables: a key per role, no demo
/// data, no simulated cameras, rate limits out of the way.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private const int KeptOutputLines = 400;

    private readonly Dictionary<string, string> _environment;
    private readonly Queue<string> _output = new();
    private Process? _process;

    /// <param name="dataFolder">The SQLite folder; a fresh temporary one when null.</param>
    /// <param name="settings">Configuration keys (<c>Section:Key</c>) that override the defaults.</param>
    /// <param name="environment">
    /// <c>ASPNETCORE_ENVIRONMENT</c>; in <c>Testing</c> only warnings are logged. The benchmarks run Production
    /// (logging as deployed) or Development (a build serves the framework's static files only there).
    /// </param>
    public ServerProcess(string? dataFolder = null, IDictionary<string, string>? settings = null, string environment = "Testing")
    {
        DataFolder = dataFolder ?? Path.Combine(Path.GetTempPath(), "factory-server", Guid.NewGuid().ToString("N"));
        Port = FreePort();
        _environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = environment,
            ["Database__DataFolder"] = DataFolder,
            ["Seed__OnEmptyDatabase"] = "false",
            ["Simulator__Enabled"] = "false",
            ["Auth__PermitsPerSecond"] = "1000000",
            ["Auth__Burst"] = "1000000",
        };
        if (environment == "Testing")
        {
            _environment["Serilog__MinimumLevel__Default"] = "Warning";
        }

        for (var i = 0; i < Roles.Length; i++)
        {
            _environment[$"Auth__Keys__{i}__Name"] = $"process-{Roles[i]}";
            _environment[$"Auth__Keys__{i}__Role"] = Roles[i];
            _environment[$"Auth__Keys__{i}__Hash"] = Factory.Web.Security.ApiKeyEntry.HashKey(KeyFor(Roles[i]));
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        ConfigureDatabase(_environment);
    }

    /// <summary>The roles that get a key.</summary>
    public static string[] Roles { get; } = ["camera", "viewer", "admin"];

    /// <summary>The plain API key of a role (the same for in-process test hosts).</summary>
    public static string KeyFor(string role) => $"test-{role}-key-0123456789";

    public string DataFolder { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public bool IsRunning => _process is { HasExited: false };

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Called with each line the server writes to standard error (the benchmarks echo them).</summary>
    public Action<string>? OnError { get; init; }

    /// <summary>The last lines of output of the current and earlier runs (standard output and error).</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>Resident set size of the server process, in MiB.</summary>
    public double RssMiB => Status("VmRSS");

    /// <summary>Peak resident set size since the process started (the kernel's high-water mark), in MiB.</summary>
    public double PeakRssMiB => Status("VmHWM");

    /// <summary>CPU time the server process has used so far (user + system).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process?.Refresh();
            return _process?.TotalProcessorTime ?? TimeSpan.Zero;
        }
    }

    /// <summary>A client with the given role's key (none when <paramref name="role"/> is null), pooling many connections.</summary>
    public HttpClient CreateClient(string? role = "admin")
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (role is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", KeyFor(role));
        }

        return client;
    }

    /// <summary>Starts the server (the build next to this assembly) and waits until <c>/health/ready</c> answers 200.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        Directory.CreateDirectory(DataFolder);
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Factory.Web.dll"), "--urls", $"http://127.0.0.1:{Port}", "--contentRoot", WebContentRoot() },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("Could not start Factory.Web.");
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            Keep(e.Data);
            if (e.Data is not null)
            {
                OnError?.Invoke(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException("Factory.Web exited during start-up:\n" + string.Join("\n", Output.TakeLast(40)));
            }

            try
            {
                using var response = await probe.GetAsync("health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("Factory.Web did not become ready:\n" + string.Join("\n", Output.TakeLast(40)));
    }

    /// <summary>Ends the process at once with SIGKILL, as a crash or power cut would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        DropDatabase();
        try
        {
            if (Directory.Exists(DataFolder))
            {
                Directory.Delete(DataFolder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Factory.Web's project folder (for wwwroot and appsettings.json), found from the output folder.</summary>
    public static string WebContentRoot()
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

    /// <summary>Lets the test suite point the server at a database of its own (see the tests' part of this class).</summary>
    partial void ConfigureDatabase(Dictionary<string, string> environment);

    /// <summary>Removes what <see cref="ConfigureDatabase"/> created.</summary>
    partial void DropDatabase();

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > KeptOutputLines)
            {
                _output.Dequeue();
            }
        }
    }

    /// <summary>A memory line of /proc/&lt;pid&gt;/status (kB there), in MiB; the working set elsewhere.</summary>
    private double Status(string field)
    {
        if (_process is null)
        {
            return 0;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
