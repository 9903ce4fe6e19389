using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Infrastructure;
using Factory.Tests.Reference;

namespace Factory.Tests.Api;

/// <summary>
/// The product against the plain reference implementation of metrics.md (<see cref="ReferenceMetrics"/>): random
/// histories are posted through the real HTTP API with late, out-of-order, duplicate and tied events, and every
/// field of the metric endpoints is compared exactly (durations in ticks) for many random windows, as of the
/// present and of the past, with model exclusions and shift calendars changing between queries.
/// Each case prints its seed; <c>FACTORY_REFERENCE_SEED=n</c> runs only that seed in every test.
/// </summary>
public sealed class MetricsReferenceTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public Task Utc_without_calendars_matches_the_reference() =>
        RunAsync(Seeds(100, 2), seed => new Scenario(seed, "UTC", new DateTime(2026, 1, 22, 4, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(30),
            Calendars: false, 0.7, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(60)));

    [Fact]
    public Task Berlin_spring_forward_with_shift_calendars_matches_the_reference() =>
        RunAsync(Seeds(200, 2), seed => new Scenario(seed, "Europe/Berlin", new DateTime(2026, 3, 28, 9, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(30),
            Calendars: true, 0.7, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(60)));

    [Fact]
    public Task Berlin_fall_back_with_shift_calendars_and_other_thresholds_matches_the_reference() =>
        RunAsync(Seeds(300, 2), seed => new Scenario(seed, "Europe/Berlin", new DateTime(2026, 10, 24, 9, 0, 0, DateTimeKind.Utc), TimeSpan.FromHours(30),
            Calendars: true, seed % 2 == 0 ? 0.55 : 0.85, TimeSpan.FromMinutes(seed % 2 == 0 ? 3 : 10), TimeSpan.FromMinutes(seed % 2 == 0 ? 45 : 90)));

    private static IEnumerable<int> Seeds(int first, int count) =>
        Environment.GetEnvironmentVariable("FACTORY_REFERENCE_SEED") is { Length: > 0 } one
            ? [int.Parse(one, CultureInfo.InvariantCulture)]
            : Enumerable.Range(first, count);

    private static async Task RunAsync(IEnumerable<int> seeds, Func<int, Scenario> scenarioFor)
    {
        foreach (var seed in seeds)
        {
            var scenario = scenarioFor(seed);
            var run = new Run(scenario);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await run.ExecuteAsync();
                TestContext.Current.TestOutputHelper?.WriteLine($"{scenario}: {run.Events} events stored, {run.Requests} responses and {run.Fields} fields compared " +
                    $"in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s (HTTP {run.HttpTime.TotalSeconds:F1} s, reference {run.ReferenceCost.TotalSeconds:F1} s) " + string.Join(", ", run.Costs.Select(c => $"{c.Key} {c.Value.TotalSeconds:F1}")) +
                    "\n  seen: " + string.Join(", ", run.Seen.Select(c => $"{c.Key} {c.Value}")));
            }
            catch (Exception ex) when (ex is not ReferenceMismatchException)
            {
                throw new ReferenceMismatchException($"{scenario}, after {run.Requests} requests: {ex.Message}\nRerun with FACTORY_REFERENCE_SEED={seed}.", ex);
            }
        }
    }

    /// <summary>One random case: an app of its own, a history posted through the API, rounds of random queries.</summary>
    private sealed class Run(Scenario scenario)
    {
        private readonly Random _rng = new(scenario.Seed);
        private readonly RefLog _log = new();
        private RefSettings _settings = null!;
        private HttpClient _client = null!;
        private FactoryApp _app = null!;

        public int Requests { get; private set; }

        public int Fields { get; private set; }

        public int Events => _log.Stored.Count;

        public TimeSpan HttpTime { get; private set; }

        public TimeSpan ReferenceCost { get; private set; }

        public Dictionary<string, TimeSpan> Costs { get; } = [];

        private T Timed<T>(Func<T> compute)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var result = compute();
            ReferenceCost += System.Diagnostics.Stopwatch.GetElapsedTime(started);
            return result;
        }

        public async Task ExecuteAsync()
        {
            var config = new Dictionary<string, string?>
            {
                ["Factory:TimeZone"] = scenario.Zone,
                ["Metrics:MinConfidence"] = scenario.MinConfidence.ToString(CultureInfo.InvariantCulture),
                ["Metrics:StateTimeout"] = scenario.StateTimeout.ToString("c", CultureInfo.InvariantCulture),
                ["Metrics:OffShiftGap"] = scenario.OffShiftGap.ToString("c", CultureInfo.InvariantCulture),
                ["Serilog:MinimumLevel:Override:Factory.Core.ModelHealth"] = "Error",

                // The fake clock jumps by minutes at a time and fires every periodic job once per period it passes;
                // these jobs do not touch metrics, so they run rarely here.
                ["ModelHealth:EvaluateEvery"] = "1.00:00:00",
                ["DataQuality:FlushEvery"] = "01:00:00",
                ["Retention:RunEvery"] = "1.00:00:00",
                ["Alerts:Evaluate"] = "false",
                ["Alerts:EvaluateEvery"] = "00:05:00",
                ["Alerts:LeaseDuration"] = "00:15:00",
            };
            await using var app = new FactoryApp(config, shiftCalendars: scenario.Calendars);
            _app = app;
            app.Time.SetUtcNow(new DateTimeOffset(scenario.From - Minute, TimeSpan.Zero));
            var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
            using var client = app.CreateClient();
            Costs["start"] = System.Diagnostics.Stopwatch.GetElapsedTime(t0);
            _client = client;

            var workers = (await client.GetFromJsonAsync<JsonElement>("/api/workers")).EnumerateArray()
                .Select(w => new RefWorker(w.GetProperty("id").GetString()!, w.GetProperty("name").GetString()!, w.GetProperty("shift").GetString() ?? "")).ToList();
            var stations = (await client.GetFromJsonAsync<JsonElement>("/api/workstations")).EnumerateArray()
                .Select(s => new RefStation(s.GetProperty("id").GetString()!, s.GetProperty("name").GetString()!)).ToList();
            _settings = new RefSettings
            {
                Zone = TimeZoneInfo.FindSystemTimeZoneById(scenario.Zone),
                MinConfidence = scenario.MinConfidence,
                StateTimeout = scenario.StateTimeout.Ticks,
                OffShiftGap = scenario.OffShiftGap.Ticks,
                Workers = workers,
                Stations = stations,
            };
            if (scenario.Calendars)
            {
                await ReplaceCalendarAsync(enabled: true);
            }

            var planned = RandomHistory.Generate(_rng, scenario, workers, stations).OrderBy(p => p.ArrivesAt).ToList();
            var clock = (scenario.From - Minute).Ticks;
            var next = 0;
            var rounds = new[] { planned.Count / 4, planned.Count / 2, planned.Count * 3 / 4 };
            while (next < planned.Count)
            {
                clock += _rng.Next(30, 1500) * TimeSpan.TicksPerSecond;
                var batch = new List<Planned>();
                while (next < planned.Count && planned[next].ArrivesAt <= clock && batch.Count < 1000)
                {
                    batch.Add(planned[next++]);
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                await PostAsync(batch, clock);
                if (rounds.Any(r => next > r && next - batch.Count <= r))
                {
                    await QueryRoundAsync(clock, queries: 3);
                }
            }

            clock += _rng.Next(0, 3600) * TimeSpan.TicksPerSecond;
            var t1 = System.Diagnostics.Stopwatch.GetTimestamp();
            _app.Time.SetUtcNow(new DateTimeOffset(clock, TimeSpan.Zero));
            Costs["clock"] = Costs.GetValueOrDefault("clock") + System.Diagnostics.Stopwatch.GetElapsedTime(t1);
            for (var round = 0; round < 3; round++)
            {
                await QueryRoundAsync(clock, queries: 4);
            }
        }

        private async Task PostAsync(List<Planned> batch, long clock)
        {
            var t1 = System.Diagnostics.Stopwatch.GetTimestamp();
            _app.Time.SetUtcNow(new DateTimeOffset(clock, TimeSpan.Zero));
            Costs["clock"] = Costs.GetValueOrDefault("clock") + System.Diagnostics.Stopwatch.GetElapsedTime(t1);
            var body = batch.Select(p => FactoryHttp.Event(
                new DateTimeOffset(p.Event.Timestamp, TimeSpan.Zero), p.Event.Worker, p.Event.Station, Wire(p.Event.Kind),
                p.Event.Confidence, p.Event.Count, p.Camera, p.Event.Model, p.Event.EventId));
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var response = await _client.PostBatchAsync(body);
            var json = await response.JsonAsync();
            HttpTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
            Requests++;
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"batch: {(int)response.StatusCode} {json}");
            var (accepted, duplicates) = _log.Receive(batch.Select(p => p.Event), clock);
            Check(json.GetProperty("accepted").GetInt32() == accepted && json.GetProperty("duplicates").GetInt32() == duplicates,
                $"batch at {Iso(clock)}: expected {accepted} accepted and {duplicates} duplicates, got {json}");
        }

        private async Task QueryRoundAsync(long clock, int queries)
        {
            // Exclusions are current configuration: toggled between rounds, they apply to every later query, as_of included.
            var t2 = System.Diagnostics.Stopwatch.GetTimestamp();
            if (_rng.NextDouble() < 0.6)
            {
                var model = RandomHistory.Models[_rng.Next(1, 3)];
                if (_settings.Excluded.Remove(model))
                {
                    using var removed = await _client.DeleteAsync($"/api/admin/model-exclusions/{model}");
                    Assert.True(removed.IsSuccessStatusCode, $"DELETE exclusion {model}: {(int)removed.StatusCode}");
                }
                else
                {
                    using var added = await _client.PostAsJsonAsync("/api/admin/model-exclusions", new { model_version = model, reason = "test" });
                    Assert.True(added.IsSuccessStatusCode, $"POST exclusion {model}: {(int)added.StatusCode}");
                    _settings.Excluded.Add(model);
                }
            }

            Costs["exclusions"] = Costs.GetValueOrDefault("exclusions") + System.Diagnostics.Stopwatch.GetElapsedTime(t2);
            if (scenario.Calendars && _rng.NextDouble() < 0.25)
            {
                await ReplaceCalendarAsync(enabled: _rng.NextDouble() < 0.75);
            }

            var reference = new ReferenceMetrics(_settings, _log.Stored);
            for (var i = 0; i < queries; i++)
            {
                await CompareQueryAsync(reference, RandomQuery(clock));
            }
        }

        private async Task ReplaceCalendarAsync(bool enabled)
        {
            var shifts = RandomHistory.Calendar(_rng);
            var body = new
            {
                enabled,
                shifts = shifts.Select(s => new
                {
                    name = s.Name,
                    start = s.Start.ToString("HH:mm", CultureInfo.InvariantCulture),
                    end = s.End.ToString("HH:mm", CultureInfo.InvariantCulture),
                    breaks = s.Breaks.Select((b, i) => new
                    {
                        name = $"break {i}",
                        start = b.Start.ToString("HH:mm", CultureInfo.InvariantCulture),
                        end = b.End.ToString("HH:mm", CultureInfo.InvariantCulture),
                    }),
                }),
            };
            using var response = await _client.PutAsJsonAsync("/api/admin/shifts", body);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"PUT calendar: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            _settings.Shifts = shifts;
            _settings.CalendarOn = enabled && shifts.Count > 0;
        }

        private RefQuery RandomQuery(long clock)
        {
            var from = scenario.From.Ticks;
            var to = from + scenario.Span.Ticks;
            long Between(long a, long b) => a + _rng.NextInt64(0, Math.Max(1, b - a));
            long Aligned(long t) => _rng.NextDouble() < 0.3 ? t - (t % TimeSpan.TicksPerHour) : t;

            long? asOf = _rng.NextDouble() < 0.4 ? Between(from, clock + TimeSpan.TicksPerMinute * 30) : null;
            long? start = null, end = null;
            var shape = _rng.NextDouble();
            if (shape < 0.55)
            {
                start = Aligned(Between(from - TimeSpan.TicksPerHour * 2, to));
                end = Aligned(Between(start.Value + 1, Math.Max(start.Value + 2, to + TimeSpan.TicksPerHour * 3)));
                if (end <= start)
                {
                    end = start + TimeSpan.TicksPerHour;
                }
            }
            else if (shape < 0.7)
            {
                start = Between(from - TimeSpan.TicksPerHour, clock + TimeSpan.TicksPerHour);
            }
            else if (shape < 0.85)
            {
                end = Between(from, clock + TimeSpan.TicksPerHour);
            }

            if (_log.Stored.Count > 0 && _rng.NextDouble() < 0.3)
            {
                // Boundaries the rules name: an instant exactly at an event, StateTimeout or OffShiftGap after it (or a
                // tick later) for status and last_seen; as_of exactly at an upload's receipt.
                var e = _log.Stored[_rng.Next(_log.Stored.Count)];
                var after = new[] { 0, scenario.StateTimeout.Ticks, scenario.StateTimeout.Ticks + 10, scenario.OffShiftGap.Ticks, scenario.OffShiftGap.Ticks + 10 }[_rng.Next(5)];
                var at = Math.Min(e.Timestamp + after, clock);
                if (_rng.NextDouble() < 0.5)
                {
                    end = at;
                    start = at - _rng.Next(1, 40) * TimeSpan.TicksPerHour / 4;
                    asOf = _rng.NextDouble() < 0.5 ? Math.Max(at, e.ReceivedAt) : null;
                }
                else
                {
                    asOf = _rng.NextDouble() < 0.5 ? e.ReceivedAt : Math.Max(at, e.ReceivedAt);
                    end = null;
                }
            }

            string? shift = null;
            if (_settings.Shifts.Count > 0 && _rng.NextDouble() < 0.4)
            {
                var name = _settings.Shifts[_rng.Next(_settings.Shifts.Count)].Name;
                shift = _rng.NextDouble() < 0.3 ? name.ToUpperInvariant() : name;
            }

            // The query string carries every tick; the server keeps instants to the microsecond.
            _sent = (start, end, asOf);
            return new RefQuery(Micro(start), Micro(end), Micro(asOf), shift, clock);
        }

        private (long? Start, long? End, long? AsOf) _sent;

        private static long? Micro(long? ticks) => ticks - (ticks % 10);

        private string QueryString(RefQuery q)
        {
            var parts = new List<string>();
            if (_sent.Start is { } s) parts.Add("start_time=" + Uri.EscapeDataString(Iso(s)));
            if (_sent.End is { } e) parts.Add("end_time=" + Uri.EscapeDataString(Iso(e)));
            if (_sent.AsOf is { } a) parts.Add("as_of=" + Uri.EscapeDataString(Iso(a)));
            if (q.Shift is { } shift) parts.Add("shift=" + Uri.EscapeDataString(shift));
            return string.Join("&", parts);
        }

        /// <summary>An instant as ISO-8601 with every tick; sometimes in the factory's offset rather than Z.</summary>
        private string Iso(long ticks)
        {
            var utc = new DateTimeOffset(ticks, TimeSpan.Zero);
            var shown = _rng.NextDouble() < 0.2 ? utc.ToOffset(_settings.Zone.GetUtcOffset(utc.UtcDateTime)) : utc;
            return shown.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);
        }

        private async Task CompareQueryAsync(ReferenceMetrics reference, RefQuery q)
        {
            var query = QueryString(q);
            if (q.Shift is not null && _settings.FindShift(q.Shift) is null)
            {
                // Calendars switched off: any shift is a 400 naming the parameter.
                using var refused = await _client.GetAsync("/api/metrics/factory?" + query);
                var problem = await refused.JsonAsync();
                Requests++;
                Check(refused.StatusCode == HttpStatusCode.BadRequest && problem.GetProperty("errors").TryGetProperty("shift", out _),
                    $"/api/metrics/factory?{query}: a shift with calendars off should be a 400 naming shift, got {(int)refused.StatusCode} {problem}");
                return;
            }

            var window = ReferenceMetrics.Resolve(q);
            Saw("query as_of in the past", q.AsOf < q.Clock);
            Saw("query with shift", q.Shift is not null);
            Saw("query window wholly in the future", window.Start >= window.End);
            var worker = _settings.Workers[_rng.Next(_settings.Workers.Count)].Id;
            var station = _settings.Stations[_rng.Next(_settings.Stations.Count)].Id;

            CompareWorkers(await GetAsync($"/api/metrics/workers?{query}"), Timed(() => reference.Workers(q, null)));
            CompareWorkers(await GetAsync($"/api/metrics/workers?worker_id={worker}&{query}"), Timed(() => reference.Workers(q, worker)));
            CompareStations(await GetAsync($"/api/metrics/workstations?{query}"), Timed(() => reference.Workstations(q, null)));
            CompareStations(await GetAsync($"/api/metrics/workstations?workstation_id={station}&{query}"), Timed(() => reference.Workstations(q, station)));
            CompareFactory(await GetAsync($"/api/metrics/factory?{query}"), Timed(() => reference.Factory(q)));
            foreach (var daily in new[] { false, true })
            {
                var filter = _rng.Next(4);
                var w = filter is 1 or 3 ? worker : null;
                var s = filter is 2 or 3 ? station : null;
                var url = $"/api/metrics/timeseries?bucket={(daily ? "day" : "hour")}&{query}"
                    + (w is null ? "" : $"&worker_id={w}") + (s is null ? "" : $"&workstation_id={s}");
                CompareBuckets(await GetAsync(url), Timed(() => reference.Timeseries(q, daily, w, s)));
            }
        }

        private string _url = "";

        private async Task<JsonElement> GetAsync(string url)
        {
            _url = url;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var response = await _client.GetAsync(url);
            var body = await response.JsonAsync();
            HttpTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
            Requests++;
            Check(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
            return body;
        }

        /// <summary>How often the cases met the situations the rules single out (printed, so a weak generator shows).</summary>
        public SortedDictionary<string, int> Seen { get; } = [];

        private void Saw(string what, bool condition = true)
        {
            if (condition)
            {
                Seen[what] = Seen.GetValueOrDefault(what) + 1;
            }
        }

        private void CompareWorkers(JsonElement actual, List<ExpectedWorker> expected)
        {
            foreach (var e in expected)
            {
                Saw("worker break > 0", e.Break > 0);
                Saw($"status {e.Status}");
            }

            Check(actual.GetArrayLength() == expected.Count, $"{actual.GetArrayLength()} workers, expected {expected.Count}");
            for (var i = 0; i < expected.Count; i++)
            {
                var (a, e) = (actual[i], expected[i]);
                var at = $"worker {e.Id}";
                Known(a, at, "worker_id", "worker_name", "working_hours", "idle_hours", "absent_hours", "tracked_hours", "break_hours",
                    "utilization_percentage", "total_units_produced", "units_per_hour", "last_seen", "status", "total_active_time_hours", "total_idle_time_hours");
                Text(a, at, "worker_id", e.Id);
                Text(a, at, "worker_name", e.Name);
                Duration(a, at, "working_hours", e.Working);
                Duration(a, at, "total_active_time_hours", e.Working);
                Duration(a, at, "idle_hours", e.Idle);
                Duration(a, at, "total_idle_time_hours", e.Idle);
                Duration(a, at, "absent_hours", e.Absent);
                Duration(a, at, "break_hours", e.Break);
                Duration(a, at, "tracked_hours", e.Tracked);
                Ratio(a, at, "utilization_percentage", Percentage(e.Working, e.Tracked));
                Integer(a, at, "total_units_produced", e.Units);
                Ratio(a, at, "units_per_hour", PerHour(e.Units, e.Working));
                Instant(a, at, "last_seen", e.LastSeen);
                Text(a, at, "status", e.Status);
            }
        }

        private void CompareStations(JsonElement actual, List<ExpectedStation> expected)
        {
            Check(actual.GetArrayLength() == expected.Count, $"{actual.GetArrayLength()} workstations, expected {expected.Count}");
            for (var i = 0; i < expected.Count; i++)
            {
                var (a, e) = (actual[i], expected[i]);
                var at = $"workstation {e.Id}";
                Known(a, at, "workstation_id", "workstation_name", "occupancy_hours", "working_hours", "utilization_percentage",
                    "occupancy_percentage", "total_units_produced", "throughput_per_hour", "active_workers");
                Text(a, at, "workstation_id", e.Id);
                Text(a, at, "workstation_name", e.Name);
                Duration(a, at, "occupancy_hours", e.Occupancy);
                Duration(a, at, "working_hours", e.Working);
                Ratio(a, at, "utilization_percentage", Percentage(e.Working, e.Occupancy));
                Ratio(a, at, "occupancy_percentage", Percentage(e.Occupancy, e.Elapsed));
                Integer(a, at, "total_units_produced", e.Units);
                Ratio(a, at, "throughput_per_hour", PerHour(e.Units, e.Occupancy));
                Integer(a, at, "active_workers", e.Active);
            }
        }

        private void CompareFactory(JsonElement a, ExpectedFactory e)
        {
            const string at = "factory";
            Known(a, at, "start_time", "end_time", "as_of", "working_hours", "idle_hours", "absent_hours", "tracked_hours", "break_hours",
                "utilization_percentage", "total_units_produced", "units_per_hour", "active_workers", "total_workers", "total_workstations",
                "events_in_window", "low_confidence_events");
            Instant(a, at, "start_time", e.Start);
            Instant(a, at, "end_time", e.End);
            Instant(a, at, "as_of", e.AsOf);
            Duration(a, at, "working_hours", e.Working);
            Duration(a, at, "idle_hours", e.Idle);
            Duration(a, at, "absent_hours", e.Absent);
            Duration(a, at, "break_hours", e.Break);
            Duration(a, at, "tracked_hours", e.Tracked);
            Ratio(a, at, "utilization_percentage", Percentage(e.Working, e.Tracked));
            Integer(a, at, "total_units_produced", e.Units);
            Ratio(a, at, "units_per_hour", PerHour(e.Units, e.Working));
            Integer(a, at, "active_workers", e.Active);
            Integer(a, at, "total_workers", e.TotalWorkers);
            Integer(a, at, "total_workstations", e.TotalStations);
            Integer(a, at, "events_in_window", e.Events);
            Integer(a, at, "low_confidence_events", e.LowConfidence);
        }

        private void CompareBuckets(JsonElement actual, List<ExpectedBucket> expected)
        {
            Saw("daylight-saving day bucket", expected.Any(b => (b.End - b.Start) is 23 * TimeSpan.TicksPerHour or 25 * TimeSpan.TicksPerHour));
            Saw("bucket break > 0", expected.Any(b => b.Break > 0));

            Check(actual.GetArrayLength() == expected.Count,
                $"{actual.GetArrayLength()} buckets, expected {expected.Count} ({string.Join(", ", expected.Take(3).Select(b => new DateTime(b.Start, DateTimeKind.Utc).ToString("O")))} …)");
            for (var i = 0; i < expected.Count; i++)
            {
                var (a, e) = (actual[i], expected[i]);
                var at = $"bucket {i} ({new DateTime(e.Start, DateTimeKind.Utc):O})";
                Known(a, at, "start", "end", "local_start", "working_hours", "idle_hours", "absent_hours", "break_hours", "units", "utilization_percentage");
                Instant(a, at, "start", e.Start);
                Instant(a, at, "end", e.End);
                var local = a.GetProperty("local_start").GetDateTimeOffset();
                Check(local == e.LocalStart && local.Offset == e.LocalStart.Offset, $"{at}.local_start: expected {e.LocalStart:O}, got {local:O}");
                Duration(a, at, "working_hours", e.Working);
                Duration(a, at, "idle_hours", e.Idle);
                Duration(a, at, "absent_hours", e.Absent);
                Duration(a, at, "break_hours", e.Break);
                Integer(a, at, "units", e.Units);
                Ratio(a, at, "utilization_percentage", Percentage(e.Working, e.Tracked));
            }
        }

        private static double Percentage(long part, long whole) => whole == 0 ? 0 : part * 100.0 / whole;

        private static double PerHour(long units, long ticks) => ticks == 0 ? 0 : units / ((double)ticks / TimeSpan.TicksPerHour);

        private static string Wire(RefKind kind) => kind switch
        {
            RefKind.Working => "working",
            RefKind.Idle => "idle",
            RefKind.Absent => "absent",
            _ => "product_count",
        };

        private void Known(JsonElement obj, string at, params string[] fields)
        {
            foreach (var property in obj.EnumerateObject())
            {
                Check(fields.Contains(property.Name), $"{at}: the reference does not know the field '{property.Name}'; compare it too");
            }
        }

        private void Duration(JsonElement obj, string at, string field, long expectedTicks)
        {
            var hours = obj.GetProperty(field).GetDouble();
            var ticks = (long)Math.Round(hours * TimeSpan.TicksPerHour);
            Check(ticks == expectedTicks, $"{at}.{field}: expected {expectedTicks} ticks ({(double)expectedTicks / TimeSpan.TicksPerHour} h), got {ticks} ({hours} h)");
        }

        private void Ratio(JsonElement obj, string at, string field, double expected)
        {
            var value = obj.GetProperty(field).GetDouble();
            Check(Math.Abs(value - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{at}.{field}: expected {expected}, got {value}");
        }

        private void Integer(JsonElement obj, string at, string field, long expected)
        {
            var value = obj.GetProperty(field).GetInt64();
            Check(value == expected, $"{at}.{field}: expected {expected}, got {value}");
        }

        private void Text(JsonElement obj, string at, string field, string expected)
        {
            var value = obj.GetProperty(field).GetString();
            Check(value == expected, $"{at}.{field}: expected '{expected}', got '{value}'");
        }

        private void Instant(JsonElement obj, string at, string field, long? expected)
        {
            long? value = obj.TryGetProperty(field, out var p) && p.ValueKind != JsonValueKind.Null ? p.GetDateTimeOffset().UtcTicks : null;
            Check(value == expected, $"{at}.{field}: expected {Show(expected)}, got {Show(value)}");
        }

        private static string Show(long? ticks) => ticks is { } t ? new DateTime(t, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture) : "null";

        private void Check(bool condition, string message)
        {
            Fields++;
            if (!condition)
            {
                throw new ReferenceMismatchException($"{scenario}\n{_url}\n{message}\nRerun with FACTORY_REFERENCE_SEED={scenario.Seed}.");
            }
        }
    }

    private sealed class ReferenceMismatchException(string message, Exception? inner = null) : Exception(message, inner);
}
