using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Factory.Tests.Infrastructure;

/// <summary>
/// Factory.Web as a separate operating-system process on a loopback port, for tests that must kill
/// it (<c>kill -9</c>) or drive it from a real browser or client. It uses the same data folder across restarts.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private Process? _process;

    public ServerProcess(string? dataFolder = null, IDictionary<string, string>? settings = null)
    {
        DataFolder = dataFolder ?? Path.Combine(Path.GetTempPath(), "factory-tests", "proc-" + Guid.NewGuid().ToString("N"));
        Port = FreePort();
        _environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Database__DataFolder"] = DataFolder,
            ["Seed__OnEmptyDatabase"] = "false",
            ["Simulator__Enabled"] = "false",
            ["Auth__PermitsPerSecond"] = "100000",
            ["Auth__Burst"] = "100000",
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        string[] roles = ["camera", "viewer", "admin"];
        for (var i = 0; i < roles.Length; i++)
        {
            _environment[$"Auth__Keys__{i}__Name"] = $"test-{roles[i]}";
            _environment[$"Auth__Keys__{i}__Role"] = roles[i];
            _environment[$"Auth__Keys__{i}__Hash"] = Factory.Web.Security.ApiKeyEntry.HashKey(FactoryApp.KeyFor(roles[i]));
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
    }

    public string DataFolder { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The operating-system id of the running server process.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>Output lines of the current and earlier runs (stdout and stderr).</summary>
    public List<string> Output { get; } = [];

    public HttpClient CreateClient(string? role = "admin")
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (role is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", FactoryApp.KeyFor(role));
        }

        return client;
    }

    /// <summary>Starts the server and waits until <c>/health/ready</c> answers 200.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Factory.Web.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", $"http://127.0.0.1:{Port}", "--contentRoot", WebContentRoot() },
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
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (Output) Output.Add(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (Output) Output.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
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
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Factory.Web's project folder (for wwwroot and appsettings.json), found from the test output folder.</summary>
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
}
