using System.Diagnostics;
using System.Net.Sockets;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Alerts;

/// <summary>
/// A real SMTP server: Debian's aiosmtpd (<c>python3 -m aiosmtpd</c>) on a loopback port with its debugging handler,
/// which prints every message it accepts; the output is kept to be searched.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly List<string> _output = [];

    private SmtpSink(Process process, int port)
    {
        _process = process;
        Port = port;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.Add(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join("\n", _output);
            }
        }
    }

    /// <summary>Debian's interpreter (pyenv or a venv may shadow <c>python3</c> without the Debian module).</summary>
    public static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static bool Available
    {
        get
        {
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(Python, "-c \"import aiosmtpd\"") { RedirectStandardError = true, RedirectStandardOutput = true });
                probe!.WaitForExit(10_000);
                return probe.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }
    }

    public static async Task<SmtpSink> StartAsync()
    {
        var port = WebhookReceiver.FreePort();
        var info = new ProcessStartInfo(Python)
        {
            ArgumentList = { "-u", "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Debugging" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var sink = new SmtpSink(Process.Start(info)!, port);
        await Eventually.TrueAsync(() => sink.Accepts(), $"aiosmtpd listens on port {port}", TimeSpan.FromSeconds(15));
        return sink;
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        _process?.Dispose();
    }
}
