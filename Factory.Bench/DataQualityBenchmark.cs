using System.Diagnostics;
using System.Globalization;
using Factory.Core.Data;
using Factory.Core.DataQuality;
using Factory.Core.Metrics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Bench;

/// <summary>
/// Latency of the data-quality report (lag percentiles streamed from SQLite) over a 24 h window holding
/// <c>count</c> events (default 100,000) from 12 cameras with log-normal arrival lags.
/// </summary>
internal static class DataQualityBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length > 0 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 100_000;
        var folder = Path.Combine(Path.GetTempPath(), "factory-bench-quality-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "factory.db") }.ToString();
            var services = new ServiceCollection()
                .AddDbContext<FactoryDbContext, SqliteFactoryDbContext>(o => o.UseSqlite(connectionString))
                .AddSingleton(Options.Create(new MetricsOptions()))
                .AddSingleton<DataQualityService>()
                .BuildServiceProvider();
            await using (var scope = services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<FactoryDbContext>().Database.MigrateAsync();
            }

            var end = new DateTime(2026, 1, 21, 15, 0, 0, DateTimeKind.Utc);
            await GenerateAsync(connectionString, end, count);

            var service = services.GetRequiredService<DataQualityService>();
            var timings = new List<double>();
            var cpu = new List<double>();
            DataQualityReport? report = null;
            using var process = Process.GetCurrentProcess();
            for (var run = 0; run < 5; run++)
            {
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                report = await service.GetReportAsync(end.AddHours(-24), end);
                timings.Add(clock.Elapsed.TotalMilliseconds);
                process.Refresh();
                cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
            }

            Console.WriteLine($"data-quality report, 24 h window, {report!.Events:N0} events, {report.Cameras.Count} cameras: " +
                $"first {timings[0]:0} ms, median of the next four {timings.Skip(1).Order().ElementAt(1):0} ms wall, {cpu.Skip(1).Order().ElementAt(1):0} ms CPU " +
                $"(p50 {report.Lag.P50Seconds} s, p99 {report.Lag.P99Seconds} s, late {report.LatePercentage} %)");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task GenerateAsync(string connectionString, DateTime end, int count)
    {
        var random = new Random(20260121);
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO events (\"timestamp\", received_at, worker_id, workstation_id, event_type, confidence, count, camera_id, model_version, event_id, low_confidence) " +
            "VALUES ($ts, $rcv, 'W1', 'S1', 0, 0.9, 1, $cam, 'v1', NULL, 0)";
        var ts = cmd.Parameters.Add(new SqliteParameter { ParameterName = "$ts" });
        var rcv = cmd.Parameters.Add(new SqliteParameter { ParameterName = "$rcv" });
        var cam = cmd.Parameters.Add(new SqliteParameter { ParameterName = "$cam" });
        cmd.Prepare();
        var step = TimeSpan.FromHours(24).Ticks / count;
        var start = end.AddHours(-24).Ticks;
        for (var i = 0; i < count; i++)
        {
            var timestamp = start + i * step;
            // Log-normal lag around 0.4 s with a long tail (a few minutes for about 1 %).
            var lagSeconds = Math.Exp(-1 + 1.6 * Normal(random));
            ts.Value = timestamp;
            rcv.Value = timestamp + (long)(lagSeconds * TimeSpan.TicksPerSecond) / 10 * 10;
            cam.Value = "CAM-" + (i % 12).ToString("00", CultureInfo.InvariantCulture);
            await cmd.ExecuteNonQueryAsync();
        }

        await tx.CommitAsync();
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
