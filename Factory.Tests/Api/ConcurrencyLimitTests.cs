using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Factory.Core.Events;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

/// <summary>
/// Heavy reads share Limits:HeavyReads slots and a Limits:HeavyReadQueue queue, then get 429 with Retry-After; open
/// dashboards are capped per client address (Limits:CircuitsPerClient).
/// </summary>
public sealed class ConcurrencyLimitTests
{
    [Fact]
    public async Task Heavy_reads_beyond_the_slots_and_the_queue_get_429_with_retry_after_and_the_queued_one_is_served()
    {
        await using var app = new GatedApp(new Dictionary<string, string?>
        {
            ["Limits:HeavyReads"] = "1",
            ["Limits:HeavyReadQueue"] = "1",
        });
        using var client = app.CreateClientAs("viewer");
        var ct = TestContext.Current.CancellationToken;

        var holding = client.GetAsync("/api/export/events.csv", ct);
        await WaitUntilAsync(() => Task.FromResult(app.Log.Waiting == 1), "the first export holds the only slot");

        var second = client.GetAsync("/api/metrics/factory", ct);
        var third = client.GetAsync("/api/export/workers.csv", ct);
        var done = await Task.WhenAny(second, third).WaitAsync(TimeSpan.FromSeconds(30), ct);
        var queued = done == second ? third : second;
        using var refused = await done;

        var problem = await ProblemAssert.IsProblemAsync(refused, 429);
        Assert.Contains("Limits:HeavyReads", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.False(queued.IsCompleted, "the queued read must wait for the slot");

        // Light reads are not limited.
        using (var light = await client.GetAsync("/api/workers", ct))
        {
            Assert.Equal(HttpStatusCode.OK, light.StatusCode);
        }

        app.Log.Release();
        using var first = await holding.WaitAsync(TimeSpan.FromSeconds(30), ct);
        using var last = await queued.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, last.StatusCode);
    }

    [Fact]
    public async Task Open_dashboards_are_capped_per_client_address()
    {
        await using var app = new FactoryApp(new Dictionary<string, string?> { ["Limits:CircuitsPerClient"] = "2" });
        var ct = TestContext.Current.CancellationToken;
        var sockets = new List<WebSocket>();
        try
        {
            sockets.Add(await ConnectAsync(app, "198.51.100.1", ct));
            sockets.Add(await ConnectAsync(app, "198.51.100.1", ct));

            var negotiate = await NegotiateAsync(app, "198.51.100.1");
            Assert.Equal(StatusCodes.Status429TooManyRequests, negotiate.Response.StatusCode);
            Assert.Equal("10", negotiate.Response.Headers.RetryAfter.ToString());
            var connect = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(app, "198.51.100.1", ct));
            Assert.Contains("429", connect.Message, StringComparison.Ordinal);

            // Another address is not affected.
            sockets.Add(await ConnectAsync(app, "198.51.100.2", ct));

            // Closing one dashboard frees its place.
            await sockets[0].CloseAsync(WebSocketCloseStatus.NormalClosure, "", ct);
            await WaitUntilAsync(async () => (await NegotiateAsync(app, "198.51.100.1")).Response.StatusCode == 200, "a place is free again");
            sockets.Add(await ConnectAsync(app, "198.51.100.1", ct));
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Abort();
                socket.Dispose();
            }
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private static Task<HttpContext> NegotiateAsync(FactoryApp app, string from) =>
        app.Server.SendAsync(ctx =>
        {
            ctx.Request.Method = "POST";
            ctx.Request.Path = "/_blazor/negotiate";
            ctx.Request.QueryString = new QueryString("?negotiateVersion=1");
            ctx.Request.Headers["X-Api-Key"] = FactoryApp.KeyFor("viewer");
            ctx.Connection.RemoteIpAddress = IPAddress.Parse(from);
        });

    /// <summary>A dashboard connection as the browser opens it: negotiate, WebSocket, SignalR handshake.</summary>
    private static async Task<WebSocket> ConnectAsync(FactoryApp app, string from, CancellationToken ct)
    {
        var negotiate = await NegotiateAsync(app, from);
        if (negotiate.Response.StatusCode != 200)
        {
            throw new InvalidOperationException($"negotiate answered {negotiate.Response.StatusCode}");
        }

        var body = await new StreamReader(negotiate.Response.Body).ReadToEndAsync(ct);
        var token = JsonDocument.Parse(body).RootElement.GetProperty("connectionToken").GetString();
        var client = app.Server.CreateWebSocketClient();
        client.ConfigureRequest = request =>
        {
            request.Headers["X-Api-Key"] = FactoryApp.KeyFor("viewer");
            request.HttpContext.Connection.RemoteIpAddress = IPAddress.Parse(from);
        };
        var socket = await client.ConnectAsync(new Uri(app.Server.BaseAddress, "_blazor?id=" + token), ct);
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"blazorpack\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, ct);
        var buffer = new byte[256];
        var answer = await socket.ReceiveAsync(buffer, ct);
        Assert.Equal("{}\u001e", Encoding.UTF8.GetString(buffer, 0, answer.Count));
        return socket;
    }

    /// <summary>The server with an event log whose streams wait until released, so a heavy read can be held open.</summary>
    private sealed class GatedApp(IDictionary<string, string?> settings) : FactoryApp(settings)
    {
        public GatedEventLog Log => (GatedEventLog)GetService<IEventLog>();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddSingleton<IEventLog>(sp => new GatedEventLog(sp.GetRequiredService<EventLog>())));
        }
    }

    private sealed class GatedEventLog(IEventLog inner) : IEventLog
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;

        public int Waiting => Volatile.Read(ref _waiting);

        public void Release() => _gate.TrySetResult();

        public Task<EventLogPage> PageAsync(EventFilter filter, int limit, EventLogPosition? after = null, CancellationToken ct = default) => inner.PageAsync(filter, limit, after, ct);

        public Task<IReadOnlyList<FactoryEvent>> LatestReceivedAsync(EventFilter filter, int limit, CancellationToken ct = default) => inner.LatestReceivedAsync(filter, limit, ct);

        public async IAsyncEnumerable<FactoryEvent> StreamAsync(EventFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
        {
            Interlocked.Increment(ref _waiting);
            await _gate.Task.WaitAsync(ct);
            await foreach (var e in inner.StreamAsync(filter, ct))
            {
                yield return e;
            }
        }

        public Task<IReadOnlyList<WorkerPresence>> WorkersAtStationAsync(string workstationId, DateTime start, DateTime end, CancellationToken ct = default) =>
            inner.WorkersAtStationAsync(workstationId, start, end, ct);

        public Task<FactoryEvent?> FindAsync(long id, CancellationToken ct = default) => inner.FindAsync(id, ct);
    }
}
