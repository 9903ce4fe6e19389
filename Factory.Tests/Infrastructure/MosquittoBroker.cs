using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Factory.Tests.Infrastructure;

/// <summary>
/// A mosquitto broker of the test's own, as a child process on a free loopback port with a temporary config (and,
/// when asked, a password file made with <c>mosquitto_passwd</c>). Persistence is on, so <see cref="RestartAsync"/>
/// after <see cref="StopAsync"/> keeps sessions and queued messages, as a real broker's restart would. Tests call
/// <see cref="Start"/>, which skips them where mosquitto is not installed (and fails them in CI).
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "factory-mosquitto", Guid.NewGuid().ToString("N"));
    private readonly string _executable;
    private Process? _process;

    private MosquittoBroker(string executable, (string User, string Password)? user)
    {
        _executable = executable;
        Port = FreePort();
        Directory.CreateDirectory(_folder);
        var config = new List<string>
        {
            $"listener {Port} 127.0.0.1",
            $"persistence true",
            $"persistence_location {_folder}/",
            "autosave_interval 1",
            "max_queued_messages 1000000",
            "max_inflight_messages 0",
            $"log_dest file {Path.Combine(_folder, "mosquitto.log")}",
            "log_type error",
            "log_type warning",
            "log_type notice",
        };
        if (Environment.UserName == "root")
        {
            // Run as root (CI), mosquitto would otherwise switch to its own user, who cannot write the temp folder.
            config.Add("user root");
        }

        if (user is { } u)
        {
            var passwords = Path.Combine(_folder, "passwd");
            Run(PasswdTool(), "-b", "-c", passwords, u.User, u.Password);
            config.Add("allow_anonymous false");
            config.Add($"password_file {passwords}");
        }
        else
        {
            config.Add("allow_anonymous true");
        }

        File.WriteAllLines(ConfigPath, config);
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    private string ConfigPath => Path.Combine(_folder, "mosquitto.conf");

    /// <summary>The broker's own log, for failure messages.</summary>
    public string Log => File.Exists(Path.Combine(_folder, "mosquitto.log")) ? File.ReadAllText(Path.Combine(_folder, "mosquitto.log")) : "";

    /// <summary>Where mosquitto is: <c>FACTORY_TEST_MOSQUITTO</c>, the Debian location, or the PATH.</summary>
    public static string? Executable()
    {
        var configured = Environment.GetEnvironmentVariable("FACTORY_TEST_MOSQUITTO");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        string[] candidates = ["/usr/sbin/mosquitto", .. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(p => Path.Combine(p, "mosquitto"))];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Starts a broker (anonymous, or with one user), skipping the test where mosquitto is missing outside CI.</summary>
    public static async Task<MosquittoBroker> Start((string User, string Password)? user = null)
    {
        var executable = Executable();
        Requires.That(executable is not null, "mosquitto (FACTORY_TEST_MOSQUITTO or /usr/sbin/mosquitto)");
        var broker = new MosquittoBroker(executable!, user);
        await broker.RestartAsync();
        return broker;
    }

    /// <summary>Starts (again) on the same port, config and persistence file, and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        var info = new ProcessStartInfo(_executable) { ArgumentList = { "-c", ConfigPath }, UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        _process = Process.Start(info) ?? throw new InvalidOperationException("Could not start mosquitto.");
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"mosquitto exited at start (code {_process.ExitCode}):\n{Log}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(20);
            }
        }

        throw new TimeoutException($"mosquitto did not listen on {Port}:\n{Log}");
    }

    /// <summary>Stops the broker as an operator would (SIGTERM): it saves sessions and queued messages first.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } p)
        {
            Run("kill", "-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string PasswdTool()
    {
        var next = Path.Combine(Path.GetDirectoryName(Executable()!)!, "mosquitto_passwd");
        return File.Exists(next) ? next : "/usr/bin/mosquitto_passwd";
    }

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not run {file}.");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
