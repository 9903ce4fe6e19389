using Factory.Tests.Infrastructure;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Factory.Core.Events;

namespace Factory.Bench;

/// <summary>
/// Many dashboards at once: N real Blazor Server circuits on the overview (see <see cref="BlazorCircuitClient"/>)
/// while cameras post 1000 events/s; samples the server's resident memory and its connected-dashboards gauge.
/// </summary>
internal static partial class ViewersBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var viewers = BenchArgs.Int(args, "--viewers", 200);
        var seconds = BenchArgs.Int(args, "--seconds", 60);
        const int rate = 1000;
        const int batchSize = 50;

        await using var server = await BenchServer.StartAsync(new Dictionary<string, string> { ["Seed:OnEmptyDatabase"] = "true" });
        await server.WaitForSeedAsync();
        using var metrics = server.CreateClient(BenchServer.AdminKey);
        var baseline = await SettledAsync(server, metrics);
        var rssBefore = baseline.RssMiB;

        // Connect the dashboards, a few at a time (as after a shift change), each with its own HTTP connection.
        var connect = Stopwatch.StartNew();
        var clients = new BlazorCircuitClient[viewers];
        var connectTimes = new Latencies();
        var failedToConnect = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < viewers)
            {
                var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    clients[i] = await BlazorCircuitClient.ConnectAsync(http, "/", CancellationToken.None);
                    connectTimes.Add(Stopwatch.GetElapsedTime(t0));
                }
                catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or TaskCanceledException or IOException)
                {
                    Interlocked.Increment(ref failedToConnect);
                    Console.Error.WriteLine($"viewer {i}: {ex.Message}");
                }
            }
        }));
        connect.Stop();
        var live = clients.Where(c => c is not null).ToList();
        Console.WriteLine($"{live.Count} circuits up in {connect.Elapsed.TotalSeconds:0.0} s; server RSS {server.RssMiB:0} MiB");
        var atRest = await SettledAsync(server, metrics);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"at rest: RSS {atRest.RssMiB:0} MiB, heap after the last GC {atRest.HeapMiB:0} MiB (live {atRest.LiveMiB:0} MiB)"));
        if (BenchArgs.Int(args, "--hold", 0) is > 0 and var hold)
        {
            // Time to inspect the server at rest (e.g. dotnet-gcdump collect -p <pid>) before ingestion starts.
            Console.WriteLine($"holding {hold} s at rest (server pid {server.ProcessId})");
            await Task.Delay(TimeSpan.FromSeconds(hold));
        }
        var gaugeMin = int.MaxValue;
        var gaugeMax = 0;
        var rssPeakSampled = 0.0;
        var heapPeak = 0.0;
        var before = live.Select(c => c.RenderBatches).ToArray();
        var batchesBefore = before.Sum();
        var cpuBefore = server.CpuTime;

        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                rssPeakSampled = Math.Max(rssPeakSampled, server.RssMiB);
                var (gauge, heap) = await ScrapeAsync(metrics);
                heapPeak = Math.Max(heapPeak, heap?.HeapMiB ?? 0);
                if (gauge is { } g)
                {
                    gaugeMin = Math.Min(gaugeMin, g);
                    gaugeMax = Math.Max(gaugeMax, g);
                }

                try
                {
                    await Task.Delay(1000, stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        // Cameras: 1000 events/s as 20 batches of 50 per second, timestamps now, open-loop.
        var ingest = new Latencies();
        var ingestFailures = 0;
        using var camera = server.CreateClient(BenchServer.CameraKey);
        var interval = TimeSpan.FromSeconds(batchSize / (double)rate);
        var start = Stopwatch.GetTimestamp();
        var sends = new List<Task>();
        var sequence = 0;
        for (var due = TimeSpan.Zero; due < TimeSpan.FromSeconds(seconds); due += interval)
        {
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var body = Batch(Interlocked.Add(ref sequence, batchSize) - batchSize, batchSize);
            sends.Add(Task.Run(async () =>
            {
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    using var response = await camera.PostAsync("api/events/batch", content);
                    response.EnsureSuccessStatusCode();
                    ingest.Add(Stopwatch.GetElapsedTime(t0));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref ingestFailures);
                }
            }));
        }

        await Task.WhenAll(sends);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var cpu = server.CpuTime - cpuBefore;
        // Let the last refreshes reach the clients, then take the final samples.
        await Task.Delay(2000);
        await stop.CancelAsync();
        await sampler;
        var (finalGauge, _) = await ScrapeAsync(metrics);
        var peak = Math.Max(server.PeakRssMiB, rssPeakSampled);
        var dropped = live.Count(c => !c.Connected);
        var errors = live.Where(c => c.Error is not null).ToList();
        var batches = live.Sum(c => c.RenderBatches) - batchesBefore;
        var silent = live.Where((c, i) => c.RenderBatches == before[i]).Count();
        foreach (var c in live.Where(c => !c.Connected || c.Error is not null).Take(5))
        {
            Console.Error.WriteLine($"circuit {c.CircuitId}: {(c.Connected ? "connected" : "dropped: " + c.CloseReason)}{(c.Error is null ? "" : ", error: " + c.Error)}");
        }

        // A dashboard that no longer receives updates is as good as dropped, even if its connection is open.
        var pass = failedToConnect == 0 && dropped == 0 && errors.Count == 0 && silent == 0 && peak < 1024 && gaugeMin >= viewers && finalGauge == viewers;
        var n = Math.Max(1, live.Count);
        var perCircuit = string.Create(CultureInfo.InvariantCulture,
            $"at rest: RSS {(atRest.RssMiB - baseline.RssMiB) * 1024 / n:0} KiB, managed heap {(atRest.HeapMiB - baseline.HeapMiB) * 1024 / n:0} KiB (live {(atRest.LiveMiB - baseline.LiveMiB) * 1024 / n:0} KiB); at the peak: RSS {(peak - baseline.RssMiB) * 1024 / n:0} KiB, managed heap {(heapPeak - baseline.HeapMiB) * 1024 / n:0} KiB");
        var table = BenchReport.Table(
            ("dashboards (Blazor circuits on `/`)", $"{live.Count} connected of {viewers} in {connect.Elapsed.TotalSeconds:0.0} s (connect {connectTimes.Summary()})"),
            ("ingestion during the run", string.Create(CultureInfo.InvariantCulture, $"{sequence / elapsed.TotalSeconds:N0} events/s for {elapsed.TotalSeconds:0} s (offered {rate}), batch latency {ingest.Summary()}, {ingestFailures} failed")),
            ("server RSS", string.Create(CultureInfo.InvariantCulture, $"peak {peak:0} MiB (before the dashboards {rssBefore:0} MiB, {live.Count} dashboards at rest {atRest.RssMiB:0} MiB, at the end {server.RssMiB:0} MiB)")),
            ("managed heap after the last GC (live part)", string.Create(CultureInfo.InvariantCulture, $"before the dashboards {baseline.HeapMiB:0} MiB ({baseline.LiveMiB:0}), at rest {atRest.HeapMiB:0} MiB ({atRest.LiveMiB:0}), peak {heapPeak:0} MiB")),
            ("memory per dashboard ((with N − before) / N)", perCircuit),
            ("connected-dashboards gauge (/metrics)", $"min {(gaugeMin == int.MaxValue ? "n/a" : gaugeMin)}, max {gaugeMax}, at the end {finalGauge?.ToString(CultureInfo.InvariantCulture) ?? "n/a"}"),
            ("circuits dropped / with a circuit error", $"{dropped} / {errors.Count}"),
            ("render batches pushed during the run", string.Create(CultureInfo.InvariantCulture, $"{batches:N0} ({batches / (double)Math.Max(1, live.Count) / elapsed.TotalSeconds:0.0} per dashboard per s; {silent} dashboards got no live update during the run)")),
            ("server CPU during the run", string.Create(CultureInfo.InvariantCulture, $"{cpu.TotalSeconds / elapsed.TotalSeconds:0.00} cores of {Environment.ProcessorCount}")),
            ("target", "RSS < 1 GiB, no circuit dropped (every dashboard connected, still receiving live updates, gauge at N throughout)"),
            ("result", BenchReport.Verdict(pass)));
        BenchReport.Append("Many viewers: dashboards connected while ingesting", "dotnet run -c Release --project Factory.Bench -- viewers",
        [
            "Each dashboard is a real Blazor Server circuit without a browser: the bench loads `/` (prerendered), reads its component markers, connects to `/_blazor` with the MessagePack hub protocol under the name `blazorpack`, calls `StartCircuit` and `UpdateRootComponents` as blazor.web.js does, acknowledges every render batch (`OnRenderCompleted`) and answers every JS interop call. The server runs the same components, live feeds and renders as for a browser.",
            "A circuit counts as dropped when its connection closes or the server reports a circuit error (`JS.Error`); the gauge is `factory_dashboard_connected` scraped from `/metrics` every second.",
            string.Create(CultureInfo.InvariantCulture, $"Ingestion: {rate} events/s as {rate / batchSize} batches of {batchSize} per second (timestamps now, W1–W6), open loop; peak RSS is the kernel's high-water mark (VmHWM) of the server process."),
            "\"Before\" and \"at rest\" are taken once the server's RSS has been steady for 3 s (at most 30 s), before the dashboards connect and after they have all connected, before ingestion starts. The managed heap is the GC's heap size after its last collection (`dotnet.gc.last_collection.heap.size`, all generations); its live part excludes the free space in it (fragmentation).",
            $"{BenchReport.LoadAverage()} at the end.",
        ], table);
        BenchReport.RecordTarget("many viewers", $"{viewers} connected dashboards while ingesting 1000 events/s", "RSS < 1 GiB, no circuit dropped",
            string.Create(CultureInfo.InvariantCulture, $"peak RSS {peak:0} MiB, {dropped + failedToConnect} of {viewers} dropped or not connected, {silent} without live updates, gauge min {(gaugeMin == int.MaxValue ? "n/a" : gaugeMin)}; per dashboard at rest {(atRest.RssMiB - baseline.RssMiB) * 1024 / n:0} KiB RSS, {(atRest.LiveMiB - baseline.LiveMiB) * 1024 / n:0} KiB live heap"), pass);

        foreach (var c in live)
        {
            await c.DisposeAsync();
        }

        return pass ? 0 : 1;
    }

    /// <summary>Heap figures of the server's garbage collector, in MiB.</summary>
    private sealed record Heap(double HeapMiB, double LiveMiB);

    /// <summary>Memory once it has settled: RSS steady (within 1 %) for 3 s, at most 30 s of waiting.</summary>
    private static async Task<(double RssMiB, double HeapMiB, double LiveMiB)> SettledAsync(ServerProcess server, HttpClient metrics)
    {
        var deadline = Stopwatch.StartNew();
        var steadySince = Stopwatch.StartNew();
        var last = server.RssMiB;
        while (deadline.Elapsed < TimeSpan.FromSeconds(30) && steadySince.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(500);
            var rss = server.RssMiB;
            if (Math.Abs(rss - last) > last * 0.01)
            {
                steadySince.Restart();
            }

            last = rss;
        }

        var (_, heap) = await ScrapeAsync(metrics);
        return (server.RssMiB, heap?.HeapMiB ?? double.NaN, heap?.LiveMiB ?? double.NaN);
    }

    /// <summary>The connected-dashboards gauge and the GC heap after the last collection from the server's /metrics.</summary>
    private static async Task<(int? Connected, Heap? Heap)> ScrapeAsync(HttpClient client)
    {
        try
        {
            var text = await client.GetStringAsync("metrics");
            var gauge = GaugeLine().Match(text);
            var size = HeapSizeLine().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            var free = HeapFragmentationLine().Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            return (gauge.Success ? (int)double.Parse(gauge.Groups[1].Value, CultureInfo.InvariantCulture) : null,
                size > 0 ? new Heap(size / (1024 * 1024), (size - free) / (1024 * 1024)) : null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (null, null);
        }
    }

    [GeneratedRegex(@"^factory_dashboard_connected\S*\s+([0-9.eE+-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex GaugeLine();

    [GeneratedRegex(@"^system_runtime_dotnet_gc_last_collection_heap_size\{[^}]*\}\s+([0-9.eE+-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex HeapSizeLine();

    [GeneratedRegex(@"^system_runtime_dotnet_gc_last_collection_heap_fragmentation_size\{[^}]*\}\s+([0-9.eE+-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex HeapFragmentationLine();

    private static byte[] Batch(int first, int count)
    {
        var now = DateTime.UtcNow;
        var sb = new StringBuilder("{\"events\":[");
        for (var i = 0; i < count; i++)
        {
            var n = first + i;
            var worker = n % 6 + 1;
            var type = n % 10 == 9 ? "product_count" : (n % 3) switch { 0 => "working", 1 => "idle", _ => "absent" };
            if (i > 0)
            {
                sb.Append(',');
            }

            // Distinct timestamps (1 µs apart, in the past), so no two events share a dedup key.
            sb.Append(CultureInfo.InvariantCulture,
                $"{{\"timestamp\":\"{WireTime.Format(now.AddTicks(-10L * (count - i)))}\",\"worker_id\":\"W{worker}\",\"workstation_id\":\"S{worker}\",\"event_type\":\"{type}\",\"confidence\":0.9,\"count\":1,\"camera_id\":\"CAM-0{worker}\",\"model_version\":\"bench\"}}");
        }

        return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }
}
