using System.Text.Json;
using Factory.Edge.Buffer;
using Factory.Edge.Sending;
using Factory.Edge.Simulation;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Edge;

/// <summary>The edge client against the real server over loopback HTTP, through restarts of both.</summary>
public sealed class EdgeEndToEndTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "factory-edge-e2e", Guid.NewGuid().ToString("N"));
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<string> _generated = [];
    private KestrelFactoryApp? _server;
    private EdgeClient? _client;

    private string DataFolder => Path.Combine(_root, "server");

    private string BufferPath => Path.Combine(_root, "edge", "buffer.db");

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _gate.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Every_event_generated_through_server_and_client_restarts_is_stored_exactly_once()
    {
        var port = KestrelFactoryApp.FreePort();
        _server = KestrelFactoryApp.Listen(DataFolder, port);
        var address = _server.Address;
        _client = EdgeClient.Start(BufferPath, address);

        var cameras = new SimulatedCameras(6, eventsPerSecondPerCamera: 25, DateTimeOffset.UtcNow, seed: 11);
        using var stopProducing = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            while (!stopProducing.IsCancellationRequested)
            {
                await _gate.WaitAsync();
                try
                {
                    _generated.AddRange(_client!.Buffer.AddRange(cameras.Poll(DateTimeOffset.UtcNow)));
                }
                finally
                {
                    _gate.Release();
                }

                await Task.Delay(20);
            }
        });

        // 1. Flowing normally.
        await Eventually.TrueAsync(() => _client.Sender.Status.Accepted >= 100, "the first events are stored", Patience);

        // 2. The server stops mid-stream; the camera keeps producing into the buffer.
        await _server.DisposeAsync();
        _server = null;
        await Eventually.TrueAsync(() => _client.Sender.Status.State == ServerState.Down, "the client notices the server is down", Patience);
        await Eventually.TrueAsync(() => _client.Buffer.Count >= 100, "events pile up in the buffer", Patience);

        // 3. The camera box restarts while the server is down: nothing buffered may be lost.
        var buffered = await RestartClientAsync(address);
        Assert.True(buffered >= 100, $"the reopened buffer holds what was waiting ({buffered})");
        await Eventually.TrueAsync(() => _client.Buffer.Count >= buffered + 50, "the restarted client buffers new events", Patience);

        // 4. The server comes back on the same database and port; the backlog drains.
        _server = KestrelFactoryApp.Listen(DataFolder, port);
        await Eventually.TrueAsync(() => _client.Sender.Status.Accepted >= 50, "the backlog is being delivered", Patience);

        // 5. The camera box restarts again, this time while batches are in flight.
        await RestartClientAsync(address);
        await Eventually.TrueAsync(() => _client.Sender.Status.Accepted >= 50, "the client sends after its second restart", Patience);

        await stopProducing.CancelAsync();
        await producer;
        await Eventually.TrueAsync(() => _client.Buffer.Count == 0, "the buffer is empty", Patience);

        var stored = await StoredEventIdsAsync(address);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"generated {_generated.Count}, stored {stored.Count}; buffered across the first client restart {buffered}; last client: {_client.Sender.Status}");
        Assert.Equal(_generated.Count, stored.Count);
        Assert.Equal(_generated.Count, stored.Distinct().Count());
        Assert.Equal(_generated.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.True(_generated.Count >= 250, $"the steps above guarantee at least 100 sent + 100 and 50 buffered while down ({_generated.Count})");
    }

    private async Task<int> RestartClientAsync(Uri address)
    {
        await _gate.WaitAsync();
        try
        {
            await _client!.DisposeAsync();
            _client = EdgeClient.Start(BufferPath, address);
            return _client.Buffer.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<List<string>> StoredEventIdsAsync(Uri address)
    {
        using var http = new HttpClient { BaseAddress = address };
        http.DefaultRequestHeaders.Add("X-Api-Key", FactoryApp.KeyFor("viewer"));
        var ids = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 100; page++)
        {
            var url = "api/events?limit=1000" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var document = JsonDocument.Parse(await http.GetStringAsync(url));
            ids.AddRange(document.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("event_id").GetString()!));
            var next = document.RootElement.GetProperty("next_cursor");
            if (next.ValueKind == JsonValueKind.Null)
            {
                return ids;
            }

            cursor = next.GetString();
        }

        Assert.Fail("More pages than expected.");
        return ids;
    }

    /// <summary>One run of the camera box: its buffer file, its HTTP client and its sender loop.</summary>
    private sealed class EdgeClient : IAsyncDisposable
    {
        private readonly HttpClient _http;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        private EdgeClient(string bufferPath, Uri server)
        {
            Buffer = EventBuffer.Open(new EventBufferOptions { Path = bufferPath, Synchronous = "NORMAL" });
            _http = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
            Sender = new EventSender(_http, Buffer, new SenderOptions
            {
                InitialBackoff = TimeSpan.FromMilliseconds(50),
                MaxBackoff = TimeSpan.FromMilliseconds(500),
                HealthProbeInterval = TimeSpan.FromMilliseconds(200),
                RequestTimeout = TimeSpan.FromSeconds(10),
                ApiKey = FactoryApp.KeyFor("camera"),
                IdlePoll = TimeSpan.FromMilliseconds(100),
            });
            _running = Task.Run(() => Sender.RunAsync(_stop.Token));
        }

        public EventBuffer Buffer { get; }

        public EventSender Sender { get; }

        public static EdgeClient Start(string bufferPath, Uri server) => new(bufferPath, server);

        public async ValueTask DisposeAsync()
        {
            // Like a process being stopped: an in-flight request is abandoned, its events stay buffered.
            await _stop.CancelAsync();
            await _running;
            Buffer.Dispose();
            _http.Dispose();
            _stop.Dispose();
        }
    }
}
