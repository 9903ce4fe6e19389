using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Factory.Tests.Alerts;

/// <summary>A real HTTP receiver on a loopback port (HttpListener) that records every request it answers with 200.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private HttpListener? _listener;
    private Task? _loop;

    public WebhookReceiver() => Port = FreePort();

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path}";

    public List<Received> Requests { get; } = [];

    public sealed record Received(string Path, IReadOnlyDictionary<string, string> Headers, string Body);

    public void Start()
    {
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
                lock (Requests)
                {
                    Requests.Add(new Received(context.Request.Url!.AbsolutePath, headers, body));
                }

                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
    }

    public List<Received> Snapshot()
    {
        lock (Requests)
        {
            return [.. Requests];
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is { } listener)
        {
            listener.Stop();
            listener.Close();
        }

        if (_loop is not null)
        {
            await _loop;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
