using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Factory.Bench;

/// <summary>
/// A Blazor Server circuit without a browser, speaking to <c>/_blazor</c> as blazor.web.js does: it reads the
/// prerendered component markers of a page, starts a circuit (<c>StartCircuit</c>), adds the root components
/// (<c>UpdateRootComponents</c>), acknowledges every render batch (<c>OnRenderCompleted</c>; the server stops
/// rendering for a client that does not) and answers every JS interop call with a void success. The server
/// therefore runs the same components, live feeds and renders as for a real dashboard; only the DOM is missing.
/// </summary>
internal sealed partial class BlazorCircuitClient : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private int _renderBatches;
    private long _renderBytes;
    private int _jsCalls;

    private BlazorCircuitClient(HubConnection connection)
    {
        _connection = connection;
        _connection.Closed += ex =>
        {
            if (!Disposing)
            {
                ClosedUnexpectedly = true;
                CloseReason = ex?.Message ?? "closed by the server";
            }

            return Task.CompletedTask;
        };
        _connection.On<long, byte[]>("JS.RenderBatch", async (batchId, batch) =>
        {
            Interlocked.Increment(ref _renderBatches);
            Interlocked.Add(ref _renderBytes, batch.Length);
            await _connection.SendAsync("OnRenderCompleted", batchId, (string?)null);
        });
        _connection.On<long, string, string, int, long>("JS.BeginInvokeJS", async (taskId, _, _, _, _) =>
        {
            Interlocked.Increment(ref _jsCalls);
            await _connection.SendAsync("EndInvokeJSFromDotNet", taskId, true, $"[{taskId},true,null]");
        });
        _connection.On<string>("JS.Error", error =>
        {
            Error = error;
        });
    }

    public string? CircuitId { get; private set; }

    public int RenderBatches => Volatile.Read(ref _renderBatches);

    public long RenderBytes => Interlocked.Read(ref _renderBytes);

    public int JsCalls => Volatile.Read(ref _jsCalls);

    public bool ClosedUnexpectedly { get; private set; }

    public string? CloseReason { get; private set; }

    /// <summary>The last <c>JS.Error</c> the server sent (an unhandled exception in the circuit).</summary>
    public string? Error { get; private set; }

    public bool Connected => _connection.State == HubConnectionState.Connected && !ClosedUnexpectedly;

    private bool Disposing { get; set; }

    /// <summary>Loads <paramref name="path"/> (prerendered), then starts its circuit and waits for the first render batch.</summary>
    public static async Task<BlazorCircuitClient> ConnectAsync(HttpClient http, string path, CancellationToken ct)
    {
        var html = await http.GetStringAsync(path, ct);
        var markers = ComponentMarker().Matches(html)
            .Select(m => JsonNode.Parse(m.Groups[1].Value)!.AsObject())
            .Where(m => m["descriptor"] is not null && (string?)m["type"] == "server")
            .ToList();
        if (markers.Count == 0)
        {
            throw new InvalidOperationException($"{path} has no interactive server component markers.");
        }

        var state = ComponentState().Match(html) is { Success: true } s ? s.Groups[1].Value : "";
        var baseUri = http.BaseAddress!.ToString();
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(http.BaseAddress!, "_blazor"), o => o.Transports = HttpTransportType.WebSockets);
        builder.Services.RemoveAll<IHubProtocol>();
        builder.Services.AddSingleton<IHubProtocol, BlazorPackProtocol>();
        var connection = builder.Build();
        // The server pings every 15 s; allow for a busy machine before calling the connection lost.
        connection.ServerTimeout = TimeSpan.FromSeconds(60);
        connection.HandshakeTimeout = TimeSpan.FromSeconds(60);
        var client = new BlazorCircuitClient(connection);
        await connection.StartAsync(ct);

        client.CircuitId = await connection.InvokeAsync<string?>("StartCircuit", baseUri, new Uri(http.BaseAddress!, path).ToString(), "[]", state, ct)
            ?? throw new InvalidOperationException("The server refused to start a circuit.");

        var operations = new JsonArray();
        for (var i = 0; i < markers.Count; i++)
        {
            var marker = markers[i].DeepClone().AsObject();
            marker["uniqueId"] = i;
            operations.Add(new JsonObject { ["type"] = "add", ["ssrComponentId"] = i + 1, ["marker"] = marker });
        }

        var batch = new JsonObject { ["batchId"] = 1, ["operations"] = operations }.ToJsonString();
        await connection.SendAsync("UpdateRootComponents", batch, state, ct);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (client.RenderBatches == 0)
        {
            if (client.ClosedUnexpectedly || DateTime.UtcNow > deadline)
            {
                var reason = client.CloseReason ?? client.Error ?? "no render batch within 60 s";
                await client.DisposeAsync();
                throw new InvalidOperationException("The circuit did not render: " + reason);
            }

            await Task.Delay(20, ct);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Disposing = true;
        await _connection.DisposeAsync();
    }

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex ComponentMarker();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex ComponentState();

    /// <summary>The MessagePack hub protocol under the name the Blazor server expects ("blazorpack").</summary>
    private sealed class BlazorPackProtocol : IHubProtocol
    {
        private readonly MessagePackHubProtocol _inner = new();

        public string Name => "blazorpack";

        public int Version => 2;

        public TransferFormat TransferFormat => TransferFormat.Binary;

        public bool IsVersionSupported(int version) => version <= Version;

        public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
            _inner.TryParseMessage(ref input, binder, out message);

        public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);

        public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);
    }
}
