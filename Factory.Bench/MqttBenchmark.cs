using Factory.Tests.Infrastructure;
using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Factory.Core.Events;
using Microsoft.AspNetCore.SignalR.Client;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Factory.Bench;

/// <summary>
/// MQTT ingestion next to HTTP batch ingestion on one server (SQLite, durable commits), with mosquitto on loopback:
/// throughput, and per message the time from publish (or POST) to commit. Commit is observed on the live hub, which
/// the server notifies only after the transaction is durable; for HTTP the answer itself comes after commit.
/// </summary>
internal static class MqttBenchmark
{
    private const int Senders = 4;
    private static readonly DateTime Origin = DateTime.UtcNow.AddHours(-12);

    public static async Task<int> RunAsync(string[] args)
    {
        var mosquitto = Environment.GetEnvironmentVariable("FACTORY_BENCH_MOSQUITTO") ?? "/usr/sbin/mosquitto";
        if (!File.Exists(mosquitto))
        {
            Console.WriteLine($"mqtt: mosquitto not found at {mosquitto}; install the Debian package mosquitto or set FACTORY_BENCH_MOSQUITTO.");
            return 0;
        }

        var large = BenchArgs.Int(args, "--messages", 100);
        var loadBefore = BenchReport.LoadAverage();
        await using var broker = await Broker.StartAsync(mosquitto);
        await using var server = await BenchServer.StartAsync(new Dictionary<string, string>
        {
            ["Mqtt:Enabled"] = "true",
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:ClientId"] = "factory-bench",
        });
        using var admin = server.CreateClient(BenchServer.AdminKey);
        await WaitSubscribedAsync(admin);
        await using var commits = await CommitWatch.StartAsync(server);

        var first = 0;
        // Warm-up of both paths (JIT, connection pools, database pages).
        await HttpAsync(server, first, 20, 1000, null);
        first += 20_000;
        await MqttAsync(broker, commits, first, 20, 1000, null);
        first += 20_000;

        var rows = new List<(string Name, string Value)>();
        foreach (var (messages, size) in new[] { (large, 1000), (large * 20, 10) })
        {
            var http = new Latencies();
            var httpRate = await HttpAsync(server, first, messages, size, http);
            first += messages * size;
            var cpuBefore = server.CpuTime;
            var mqtt = new Latencies();
            var mqttRate = await MqttAsync(broker, commits, first, messages, size, mqtt);
            var cpu = server.CpuTime - cpuBefore;
            first += messages * size;
            rows.Add(($"HTTP batch, {messages:N0} × {size}", string.Create(CultureInfo.InvariantCulture, $"{httpRate:N0} events/s; POST to durable answer {http.Summary()}")));
            rows.Add(($"MQTT, {messages:N0} messages × {size}", string.Create(CultureInfo.InvariantCulture,
                $"{mqttRate:N0} events/s; publish to commit {mqtt.Summary()}; server {cpu.TotalMicroseconds / (messages * size):0.0} µs CPU/event")));
        }

        rows.Add(("server RSS after / peak", $"{server.RssMiB:0} / {server.PeakRssMiB:0} MiB"));
        rows.Add(("machine load at start / end", $"{loadBefore} / {BenchReport.LoadAverage()}"));
        BenchReport.Append("MQTT ingestion next to HTTP batch (SQLite, mosquitto on loopback)", "dotnet run -c Release --project Factory.Bench -- mqtt",
        [
            $"{Senders} concurrent senders in each case, each with one request or message in flight: HTTP clients post a batch and wait for the durable answer; MQTT clients publish with QoS 1 to factory/CAM-0n/events and wait until the message's events are committed.",
            "The server acknowledges an MQTT message to the broker only after its events are committed; commit is observed on /hubs/live, which is told after the transaction is durable.",
            "Same server process and database for both; HTTP runs first in each pair. The live-hub client that observes commits costs the server CPU during both (every stored event is pushed to it).",
        ], BenchReport.Table([.. rows]));
        return 0;
    }

    private static async Task<double> HttpAsync(ServerProcess server, int first, int batches, int size, Latencies? latencies)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async _ =>
        {
            using var client = server.CreateClient(BenchServer.CameraKey);
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches)
            {
                using var content = new ByteArrayContent(CameraEventJson.ToBatchBody(Events(first + i * size, size, i)));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var start = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync("api/events/batch", content);
                response.EnsureSuccessStatusCode();
                latencies?.Add(Stopwatch.GetElapsedTime(start));
            }
        }));
        return batches * (double)size / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> MqttAsync(Broker broker, CommitWatch commits, int first, int messages, int size, Latencies? latencies)
    {
        var pending = commits.Expect(first, messages, size);
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(async s =>
        {
            using var client = new MqttClientFactory().CreateMqttClient();
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId($"bench-camera-{s}-{Guid.NewGuid():N}").Build());
            int i;
            while ((i = Interlocked.Increment(ref next)) < messages)
            {
                var buffer = new ArrayBufferWriter<byte>();
                CameraEventJson.WriteArray(buffer, Events(first + i * size, size, i));
                var message = new MqttApplicationMessageBuilder().WithTopic($"factory/CAM-0{i % 6 + 1}/events").WithPayload(buffer.WrittenMemory.ToArray())
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
                pending.Published(i);
                var ack = await client.PublishAsync(message);
                if (!ack.IsSuccess)
                {
                    throw new InvalidOperationException($"The broker answered {ack.ReasonCode}.");
                }

                // Closed loop, as an HTTP sender that waits for its durable answer: the next message once this one is committed.
                await pending.CommittedAsync(i).WaitAsync(TimeSpan.FromMinutes(2));
            }

            await client.DisconnectAsync(new MqttClientDisconnectOptions());
        }));
        await pending.Done.WaitAsync(TimeSpan.FromMinutes(5));
        var elapsed = clock.Elapsed;
        foreach (var latency in pending.Latencies)
        {
            latencies?.Add(latency);
        }

        return messages * (double)size / elapsed.TotalSeconds;
    }

    /// <summary>Events first … first+count−1 of one camera (message <paramref name="message"/>), with distinct timestamps and ids.</summary>
    private static IEnumerable<NewEvent> Events(int first, int count, int message)
    {
        var camera = $"CAM-0{message % 6 + 1}";
        for (var i = first; i < first + count; i++)
        {
            yield return new NewEvent(Origin.AddTicks(i * 100L), $"W{i % 6 + 1}", $"S{i % 6 + 1}", i % 10 == 9 ? EventType.ProductCount : (EventType)(i % 3),
                0.7 + i % 30 / 100.0, 1, camera, "bench", $"b{i}");
        }
    }

    private static async Task WaitSubscribedAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var health = JsonDocument.Parse(await client.GetStringAsync("health/ready")).RootElement;
            if (health.GetProperty("checks").TryGetProperty("mqtt", out var state) && state.GetString() == "Healthy")
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The server did not subscribe to the broker.");
    }

    /// <summary>Watches /hubs/live for committed events and times each message from its publish to the commit of its last event.</summary>
    private sealed class CommitWatch : IAsyncDisposable
    {
        private readonly HubConnection _hub;
        private volatile Expectation? _current;

        private CommitWatch(HubConnection hub) => _hub = hub;

        public static async Task<CommitWatch> StartAsync(ServerProcess server)
        {
            var hub = new HubConnectionBuilder()
                .WithUrl(new Uri(server.BaseAddress, "hubs/live"), o => o.Headers["X-Api-Key"] = ServerProcess.KeyFor(BenchServer.AdminKey))
                .Build();
            var watch = new CommitWatch(hub);
            hub.On<JsonElement>("events", batch =>
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var e in batch.EnumerateArray())
                {
                    if (e.GetProperty("event_id").GetString() is { } id && id.StartsWith('b'))
                    {
                        watch._current?.Committed(int.Parse(id.AsSpan(1), CultureInfo.InvariantCulture), now);
                    }
                }
            });
            await hub.StartAsync();
            return watch;
        }

        public Expectation Expect(int first, int messages, int size) => _current = new Expectation(first, messages, size);

        public ValueTask DisposeAsync() => _hub.DisposeAsync();
    }

    private sealed class Expectation(int first, int messages, int size)
    {
        private readonly long[] _publishedAt = new long[messages];
        private readonly int[] _remaining = Enumerable.Repeat(size, messages).ToArray();
        private readonly TimeSpan[] _latencies = new TimeSpan[messages];
        private readonly TaskCompletionSource[] _committed = [.. Enumerable.Range(0, messages).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _open = messages;

        public Task Done => _done.Task;

        public IEnumerable<TimeSpan> Latencies => _latencies;

        public Task CommittedAsync(int message) => _committed[message].Task;

        public void Published(int message) => Volatile.Write(ref _publishedAt[message], Stopwatch.GetTimestamp());

        public void Committed(int eventNumber, long now)
        {
            var message = (eventNumber - first) / size;
            if (eventNumber < first || message >= _latencies.Length || Interlocked.Decrement(ref _remaining[message]) != 0)
            {
                return;
            }

            _latencies[message] = Stopwatch.GetElapsedTime(Volatile.Read(ref _publishedAt[message]), now);
            _committed[message].TrySetResult();
            if (Interlocked.Decrement(ref _open) == 0)
            {
                _done.TrySetResult();
            }
        }
    }

    /// <summary>A throwaway mosquitto on a free loopback port.</summary>
    private sealed class Broker : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _folder;

        private Broker(Process process, int port, string folder)
        {
            _process = process;
            Port = port;
            _folder = folder;
        }

        public int Port { get; }

        public static async Task<Broker> StartAsync(string executable)
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "factory-bench", "mosquitto-" + Guid.NewGuid().ToString("N"))).FullName;
            var config = Path.Combine(folder, "mosquitto.conf");
            await File.WriteAllLinesAsync(config, [$"listener {port} 127.0.0.1", "allow_anonymous true", "max_queued_messages 1000000", .. Environment.UserName == "root" ? ["user root"] : Array.Empty<string>()]);
            var process = Process.Start(new ProcessStartInfo(executable) { ArgumentList = { "-c", config }, UseShellExecute = false, RedirectStandardError = true })
                ?? throw new InvalidOperationException("Could not start mosquitto.");
            process.BeginErrorReadLine();
            for (var attempt = 0; attempt < 200; attempt++)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return new Broker(process, port, folder);
                }
                catch (SocketException)
                {
                    await Task.Delay(25);
                }
            }

            process.Kill();
            throw new TimeoutException("mosquitto did not start.");
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill();
            await _process.WaitForExitAsync();
            _process.Dispose();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
