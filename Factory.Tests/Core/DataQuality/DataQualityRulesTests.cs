using System.Text.Json;
using Factory.Core.DataQuality;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Metrics;
using Factory.Core.Registry;

namespace Factory.Tests.Core.DataQuality;

/// <summary>The pure parts of the data-quality view: lag percentiles, reject categories, camera buckets.</summary>
public sealed class DataQualityRulesTests
{
    private static readonly DateTime Now = new(2026, 1, 21, 15, 0, 0, DateTimeKind.Utc);

    private static readonly RegistrySnapshot Registry = new([new Worker { Id = "W1", Name = "Ana" }], [new Workstation { Id = "S1", Name = "Press" }]);

    /// <summary>percentile_cont over a sorted list: linear interpolation between the ranks around p·(n−1).</summary>
    private static double Exact(IReadOnlyList<double> sorted, double p)
    {
        var rank = p * (sorted.Count - 1);
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
    }

    [Fact]
    public void Histogram_percentiles_are_within_a_tenth_of_a_percent_of_percentile_cont()
    {
        var random = new Random(12);
        var micros = Enumerable.Range(0, 20_000).Select(_ => (long)(Math.Exp(random.NextDouble() * 22) - 1)).ToList(); // 0 µs .. ~1 h
        var histogram = new LagHistogram();
        micros.ForEach(histogram.Add);
        var sorted = micros.Select(m => m / 1e6).Order().ToList();

        foreach (var p in new[] { 0.01, 0.5, 0.9, 0.95, 0.99, 1.0 })
        {
            var exact = Exact(sorted, p);
            Assert.InRange(histogram.Percentile(p)!.Value, exact * 0.999 - 1e-6, exact * 1.001 + 1e-6);
        }
    }

    [Fact]
    public void Small_and_negative_lags_are_exact()
    {
        var histogram = new LagHistogram();
        foreach (var m in new long[] { -1500, 0, 250, 1000, 2000 })
        {
            histogram.Add(m);
        }

        Assert.Equal(-0.0015, histogram.Percentile(0)!.Value, 9);
        Assert.Equal(0.00025, histogram.Percentile(0.5)!.Value, 9);
        Assert.Equal(0.0015, histogram.Percentile(0.875)!.Value, 9); // between 1000 and 2000 µs
        Assert.Null(new LagHistogram().Percentile(0.5));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(999, 1_000)]
    [InlineData(4095, 4_096)]
    [InlineData(1_000_000, 1_000_000)]
    public void Bucket_representatives_stay_within_a_tenth_of_a_percent(long micros, long scale)
    {
        var value = micros * Math.Max(1, scale);
        var representative = LagHistogram.Representative(value);
        Assert.InRange(representative, value - value / 1000 - 1, value + value / 1000 + 1);
        Assert.Equal(-representative, LagHistogram.Representative(-value));
    }

    [Theory]
    [InlineData(0.5, 0)]
    [InlineData(-3, 0)]
    [InlineData(1, 1)]
    [InlineData(29.9, 2)]
    [InlineData(120, 4)]
    [InlineData(3600, 6)]
    public void Fixed_buckets_are_half_open(double seconds, int index) => Assert.Equal(index, LagBuckets.IndexOf(seconds));

    private static EventParseResult Parse(string json, IReadOnlySet<string>? cameras = null)
    {
        var parser = new EventParser(new IngestionOptions(), new MetricsOptions(), TimeSpan.FromDays(90));
        using var document = JsonDocument.Parse(json);
        return parser.Parse(document.RootElement, Registry, Now, cameras);
    }

    private static string Event(string timestamp = "2026-01-21T14:30:00Z", string worker = "W1", string station = "S1", string confidence = "0.8", string extra = "") =>
        $"{{\"timestamp\":\"{timestamp}\",\"worker_id\":\"{worker}\",\"workstation_id\":\"{station}\",\"event_type\":\"working\",\"confidence\":{confidence}{extra}}}";

    [Theory]
    [InlineData("{\"worker_id\":\"W9\"}", null, RejectReasons.Validation)]
    [InlineData("[1]", null, RejectReasons.Validation)]
    [InlineData("W9", null, RejectReasons.UnknownWorker)]
    [InlineData("S9", null, RejectReasons.UnknownWorkstation)]
    [InlineData("future", null, RejectReasons.ClockSkew)]
    [InlineData("old", null, RejectReasons.TooOld)]
    [InlineData("mismatch", "CAM-01", RejectReasons.CameraMismatch)]
    [InlineData("W9+bad-confidence", null, RejectReasons.Validation)]
    public void Rejected_event_gets_one_reason_by_priority(string kind, string? boundCamera, string reason)
    {
        var json = kind switch
        {
            "W9" => Event(worker: "W9"),
            "S9" => Event(station: "S9"),
            "future" => Event(timestamp: "2026-01-21T16:00:00Z"),
            "old" => Event(timestamp: "2025-01-21T16:00:00Z"),
            "mismatch" => Event(worker: "W9", extra: ",\"camera_id\":\"CAM-02\""),
            "W9+bad-confidence" => Event(worker: "W9", confidence: "2"),
            _ => kind,
        };

        var result = Parse(json, boundCamera is null ? null : new HashSet<string> { boundCamera });

        Assert.Null(result.Event);
        Assert.Equal(reason, result.RejectReason);
    }

    [Theory]
    [InlineData("{\"camera_id\":\"CAM-01\"}", null, "CAM-01")]
    [InlineData("{\"camera_id\":null}", null, QualityCameras.None)]
    [InlineData("{}", null, QualityCameras.None)]
    [InlineData("{}", "CAM-07", "CAM-07")]
    [InlineData("{\"camera_id\":\"\"}", "CAM-07", "CAM-07")]
    [InlineData("{\"camera_id\":\"CAM-02\"}", "CAM-07", QualityCameras.Invalid)]
    [InlineData("{\"camera_id\":42}", null, QualityCameras.Invalid)]
    [InlineData("{\"camera_id\":\"a\\u0000b\"}", null, QualityCameras.Invalid)]
    [InlineData("{\"camera_id\":\"\\ud800\"}", null, QualityCameras.Invalid)]
    [InlineData("\"text\"", null, QualityCameras.None)]
    public void Rejected_items_are_counted_under_their_camera_only_when_it_is_a_valid_allowed_id(string json, string? boundCamera, string expected)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal(expected, QualityCameras.ForRejected(document.RootElement, boundCamera is null ? null : new HashSet<string> { boundCamera }));
    }

    [Fact]
    public void Camera_ids_longer_than_the_limit_are_never_kept()
    {
        using var document = JsonDocument.Parse($"{{\"camera_id\":\"{new string('x', EventParser.MaxTextLength + 1)}\"}}");
        Assert.Equal(QualityCameras.Invalid, QualityCameras.ForRejected(document.RootElement, null));
    }
}
