using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Factory.Tests.Deployment;

/// <summary>
/// The server behind the repository's own <c>deploy/nginx.conf</c> (real nginx, a self-signed certificate made with the
/// README's command): TLS is terminated by nginx and the app knows it (Secure cookies, HSTS), WebSockets pass through,
/// the client's own address is the one limited, and <c>/metrics</c> is not served to the outside.
/// </summary>
public sealed class ProxyDeploymentTests : IAsyncLifetime
{
    private const string Nginx = "/usr/sbin/nginx";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "factory-tests", "nginx-" + Guid.NewGuid().ToString("N"));
    private ServerProcess? _server;
    private Process? _nginx;
    private int _httpsPort;

    public async ValueTask InitializeAsync()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Nginx) || !await CommandSucceedsAsync("openssl", "version"))
        {
            return;
        }

        _server = new ServerProcess(settings: new Dictionary<string, string>
        {
            ["Proxy:KnownProxies:0"] = "127.0.0.1",
            ["Auth:MaxFailuresPerClient"] = "3",
        });
        await _server.StartAsync();

        Directory.CreateDirectory(Path.Combine(_folder, "tls"));
        // nginx's workers may run as an unprivileged user: they buffer responses in this folder.
        File.SetUnixFileMode(_folder, (UnixFileMode)0x1FF);
        Assert.True(await CommandSucceedsAsync("openssl",
            $"req -x509 -newkey rsa:2048 -sha256 -days 1 -nodes -keyout {_folder}/tls/factory.key -out {_folder}/tls/factory.crt -subj /CN=localhost"),
            "openssl could not make a certificate");

        _httpsPort = FreePort();
        var config = (await File.ReadAllTextAsync(Path.Combine(ServerProcess.WebContentRoot(), "..", "deploy", "nginx.conf")))
            .Replace("app1:8080", $"127.0.0.1:{_server.Port}", StringComparison.Ordinal)
            .Replace("app2:8080", $"127.0.0.1:{_server.Port}", StringComparison.Ordinal)
            .Replace("/etc/nginx/tls", Path.Combine(_folder, "tls"), StringComparison.Ordinal)
            .Replace("listen 80;", $"listen 127.0.0.1:{FreePort()};", StringComparison.Ordinal)
            .Replace("listen 443 ssl;", $"listen 127.0.0.1:{_httpsPort} ssl;", StringComparison.Ordinal)
            .Replace("http {", $"http {{\n  access_log off;\n  client_body_temp_path {_folder}/body; proxy_temp_path {_folder}/proxy; " +
                $"fastcgi_temp_path {_folder}/fcgi; uwsgi_temp_path {_folder}/uwsgi; scgi_temp_path {_folder}/scgi;", StringComparison.Ordinal);
        config = $"pid {_folder}/nginx.pid;\nerror_log {_folder}/error.log;\ndaemon off;\n" + config;
        await File.WriteAllTextAsync(Path.Combine(_folder, "nginx.conf"), config);

        _nginx = Process.Start(new ProcessStartInfo(Nginx)
        {
            ArgumentList = { "-c", Path.Combine(_folder, "nginx.conf"), "-p", _folder },
            UseShellExecute = false,
            RedirectStandardError = true,
        });
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await AcceptsAsync(_httpsPort))
        {
            Assert.True(DateTime.UtcNow < deadline && !_nginx!.HasExited, "nginx did not start: " + await ReadErrorsAsync());
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }

        _nginx?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void RequireNginx() => Requires.That(_nginx is not null, $"nginx ({Nginx}) and openssl");

    /// <summary>An HTTPS client through nginx that connects from <paramref name="from"/> (any 127.x address is loopback).</summary>
    private HttpClient Client(string from = "127.0.0.2", string? key = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            UseCookies = true,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        // Not "localhost": HSTS is never sent to it.
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://factory.test:{_httpsPort}/"), Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
    }

    [Fact]
    public async Task Behind_nginx_tls_is_known_to_the_app_cookies_are_secure_and_answers_carry_hsts()
    {
        RequireNginx();
        using var client = Client();
        var html = await client.GetStringAsync("login");
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"(__RequestVerificationToken[^\"]*)\" value=\"([^\"]+)\"");
        using var signIn = await client.PostAsync("login", new FormUrlEncodedContent(
            [new(token.Groups[1].Value, WebUtility.HtmlDecode(token.Groups[2].Value)), new("key", FactoryApp.KeyFor("viewer")), new("returnUrl", "/events")]));

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("factory.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.True(signIn.Headers.Contains("Strict-Transport-Security"));
        using var page = await client.GetAsync("events");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Behind_nginx_the_clients_own_address_is_limited_not_the_proxys()
    {
        RequireNginx();
        using var guesser = Client("127.0.0.2", key: "guess");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetAsync("api/workers")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await guesser.GetAsync("api/workers")).StatusCode);
        using var neighbour = Client("127.0.0.3", key: FactoryApp.KeyFor("viewer"));
        Assert.Equal(HttpStatusCode.OK, (await neighbour.GetAsync("api/workers")).StatusCode);
    }

    [Fact]
    public async Task Websockets_pass_through_nginx_and_metrics_stay_inside()
    {
        RequireNginx();
        var received = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri($"https://localhost:{_httpsPort}/hubs/live"), o =>
            {
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.Headers["X-Api-Key"] = FactoryApp.KeyFor("viewer");
                o.WebSocketConfiguration = ws => ws.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            })
            .Build();
        hub.On<JsonElement>("events", batch => received.TrySetResult(batch));
        await hub.StartAsync(TestContext.Current.CancellationToken);

        using var camera = _server!.CreateClient("camera");
        (await camera.PostEventAsync(FactoryHttp.Event(DateTimeOffset.UtcNow.AddMinutes(-1), eventId: "through-nginx"))).EnsureSuccessStatusCode();
        var batch = await received.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal("through-nginx", batch[0].GetProperty("event_id").GetString());

        using var outside = Client(key: FactoryApp.KeyFor("admin"));
        Assert.Equal(HttpStatusCode.NotFound, (await outside.GetAsync("metrics")).StatusCode);
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var socket = new TcpClient();
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task<string> ReadErrorsAsync()
    {
        var log = Path.Combine(_folder, "error.log");
        return File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
    }

    private static async Task<bool> CommandSucceedsAsync(string command, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
