using System.Data.Common;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Core.DataQuality;

/// <summary>
/// Computes the data-quality report. On PostgreSQL the lag percentiles are <c>percentile_cont</c> in one
/// grouped scan; on SQLite the lags of the window are streamed into bounded log-linear histograms.
/// Each call uses its own short-lived context, so a dashboard circuit never shares one.
/// </summary>
public sealed class DataQualityService(IServiceScopeFactory scopes, IOptions<MetricsOptions> metrics) : IDataQualityService
{
    private const string NoCamera = QualityCameras.None;

    public async Task<DataQualityReport> GetReportAsync(DateTime start, DateTime end, CancellationToken ct = default)
    {
        var lateAfter = metrics.Value.LateAfter;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var lags = db.Database.IsNpgsql()
            ? await PostgresLagsAsync(db, start, end, lateAfter, ct)
            : await StreamedLagsAsync(db, start, end, lateAfter, ct);

        var counts = await db.Set<IngestionQualityCount>().AsNoTracking()
            .Where(c => c.HourStart >= IngestionQualityCounter.HourOf(start) && c.HourStart < end)
            .GroupBy(c => new { c.CameraId, c.Outcome, c.Reason })
            .Select(g => new { g.Key.CameraId, g.Key.Outcome, g.Key.Reason, Count = g.Sum(c => c.Count) })
            .ToListAsync(ct);

        var cameraIds = lags.Cameras.Keys.Concat(counts.Select(c => c.CameraId)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var cameras = new List<CameraQuality>();
        foreach (var id in cameraIds)
        {
            var lag = lags.Cameras.GetValueOrDefault(id);
            var mine = counts.Where(c => c.CameraId == id).ToList();
            var rejectedByReason = mine.Where(c => c.Outcome == IngestionOutcomes.Rejected)
                .ToDictionary(c => c.Reason, c => c.Count, StringComparer.Ordinal);
            cameras.Add(new CameraQuality(
                id,
                lag?.Events ?? 0,
                lag?.Late ?? 0,
                lag?.P50,
                lag?.P95,
                lag?.Max,
                mine.Where(c => c.Outcome == IngestionOutcomes.Duplicate).Sum(c => c.Count),
                rejectedByReason.Values.Sum(),
                rejectedByReason,
                lag?.LastReceivedAt));
        }

        var total = lags.Total;
        return new DataQualityReport(
            start,
            end,
            lateAfter.TotalSeconds,
            total.Events,
            total.Late,
            total.Events == 0 ? 0 : Math.Round(100.0 * total.Late / total.Events, 2),
            new LagDistribution(total.P50, total.P90, total.P95, total.P99, total.Max, LagBuckets.From(lags.Histogram)),
            cameras);
    }

    public async Task<IReadOnlyList<FactoryEvent>> LatestLateAsync(DateTime start, DateTime end, int limit, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        return await LateEvents.Query(db, metrics.Value.LateAfter).AsNoTracking()
            .Where(e => e.Timestamp >= start && e.Timestamp < end)
            .OrderByDescending(e => e.Id).Take(limit).ToListAsync(ct);
    }

    private static async Task<LagFigures> StreamedLagsAsync(FactoryDbContext db, DateTime start, DateTime end, TimeSpan lateAfter, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT camera_id, received_at, \"timestamp\" FROM events WHERE \"timestamp\" >= @s AND \"timestamp\" < @e";
            AddParameter(command, "@s", start.Ticks);
            AddParameter(command, "@e", end.Ticks);

            var histogram = new long[LagBuckets.Bounds.Count + 1];
            var cameras = new Dictionary<string, CameraAccumulator>(StringComparer.Ordinal);
            var lateTicks = lateAfter.Ticks;
            string? lastId = null;
            CameraAccumulator? last = null;
            await using var reader = await command.ExecuteReaderAsync(ct);
            // Synchronous reads: SQLite has no asynchronous I/O, and the per-row await costs more than the row.
            while (reader.Read())
            {
                var id = reader.IsDBNull(0) ? NoCamera : reader.GetString(0);
                if (last is null || !string.Equals(id, lastId, StringComparison.Ordinal))
                {
                    if (!cameras.TryGetValue(id, out last))
                    {
                        last = cameras[id] = new CameraAccumulator();
                    }

                    lastId = id;
                }

                var received = reader.GetInt64(1);
                var lag = received - reader.GetInt64(2);
                last.Add(lag, received, lateTicks);
                histogram[LagBuckets.IndexOf(lag / (double)TimeSpan.TicksPerSecond)]++;
            }

            var total = new CameraAccumulator();
            foreach (var camera in cameras.Values)
            {
                total.Merge(camera);
            }

            return new LagFigures(
                total.ToFigures(),
                cameras.ToDictionary(c => c.Key, c => c.Value.ToFigures(), StringComparer.Ordinal),
                histogram);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<LagFigures> PostgresLagsAsync(FactoryDbContext db, DateTime start, DateTime end, TimeSpan lateAfter, CancellationToken ct)
    {
        var buckets = string.Join(", ", Enumerable.Range(0, LagBuckets.Bounds.Count + 1).Select(i =>
        {
            var lower = i == 0 ? "" : $"lag >= {LagBuckets.Bounds[i - 1]}";
            var upper = i < LagBuckets.Bounds.Count ? $"lag < {LagBuckets.Bounds[i]}" : "";
            var condition = string.Join(" AND ", new[] { lower, upper }.Where(s => s.Length > 0));
            return $"count(*) FILTER (WHERE {condition})";
        }));
        var sql =
            "WITH w AS (SELECT coalesce(camera_id, @none) AS camera_id, received_at, " +
            "extract(epoch FROM received_at - \"timestamp\")::float8 AS lag, (received_at - \"timestamp\") > @late AS late " +
            "FROM events WHERE \"timestamp\" >= @s AND \"timestamp\" < @e) " +
            "SELECT grouping(camera_id) AS is_total, camera_id, count(*), count(*) FILTER (WHERE late), " +
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY lag), percentile_cont(0.9) WITHIN GROUP (ORDER BY lag), " +
            "percentile_cont(0.95) WITHIN GROUP (ORDER BY lag), percentile_cont(0.99) WITHIN GROUP (ORDER BY lag), " +
            "max(lag), max(received_at), " + buckets + " FROM w GROUP BY GROUPING SETS ((camera_id), ())";

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            AddParameter(command, "@none", NoCamera);
            AddParameter(command, "@late", lateAfter);
            AddParameter(command, "@s", DateTime.SpecifyKind(start, DateTimeKind.Utc));
            AddParameter(command, "@e", DateTime.SpecifyKind(end, DateTimeKind.Utc));

            var cameras = new Dictionary<string, Figures>(StringComparer.Ordinal);
            var total = Figures.Empty;
            var histogram = new long[LagBuckets.Bounds.Count + 1];
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var events = reader.GetInt64(2);
                var figures = new Figures(
                    events,
                    reader.GetInt64(3),
                    Seconds(reader, 4),
                    Seconds(reader, 5),
                    Seconds(reader, 6),
                    Seconds(reader, 7),
                    Seconds(reader, 8),
                    reader.IsDBNull(9) ? null : DateTime.SpecifyKind(reader.GetDateTime(9), DateTimeKind.Utc));
                if (reader.GetInt32(0) == 1)
                {
                    total = figures;
                    for (var i = 0; i < histogram.Length; i++)
                    {
                        histogram[i] = reader.GetInt64(10 + i);
                    }
                }
                else
                {
                    cameras[reader.GetString(1)] = figures;
                }
            }

            return new LagFigures(total, cameras, histogram);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static double? Seconds(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Round(reader.GetDouble(ordinal));

    private static double Round(double seconds) => Math.Round(seconds, 3);

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    private sealed record LagFigures(Figures Total, Dictionary<string, Figures> Cameras, long[] Histogram);

    private sealed record Figures(long Events, long Late, double? P50, double? P90, double? P95, double? P99, double? Max, DateTime? LastReceivedAt)
    {
        public static Figures Empty { get; } = new(0, 0, null, null, null, null, null, null);
    }

    private sealed class CameraAccumulator
    {
        private readonly LagHistogram _lags = new();
        private long _events;
        private long _late;
        private long _maxLag = long.MinValue;
        private long _lastReceived = long.MinValue;

        public void Add(long lagTicks, long receivedTicks, long lateTicks)
        {
            _events++;
            if (lagTicks > lateTicks)
            {
                _late++;
            }

            _maxLag = Math.Max(_maxLag, lagTicks);
            _lastReceived = Math.Max(_lastReceived, receivedTicks);
            // Microseconds: received_at is stored at that precision.
            _lags.Add(lagTicks / 10);
        }

        public void Merge(CameraAccumulator other)
        {
            _events += other._events;
            _late += other._late;
            _maxLag = Math.Max(_maxLag, other._maxLag);
            _lastReceived = Math.Max(_lastReceived, other._lastReceived);
            _lags.Merge(other._lags);
        }

        public Figures ToFigures() => _events == 0
            ? Figures.Empty
            : new Figures(
                _events,
                _late,
                P(0.5),
                P(0.9),
                P(0.95),
                P(0.99),
                Round(_maxLag / (double)TimeSpan.TicksPerSecond),
                new DateTime(_lastReceived, DateTimeKind.Utc));

        private double? P(double p) => _lags.Percentile(p) is { } s ? Round(s) : null;
    }
}
