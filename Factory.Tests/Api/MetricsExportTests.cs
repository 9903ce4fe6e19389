using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>
/// The metric CSV exports against the real engine: every row parses back to exactly the figures of the matching
/// /api/metrics endpoint for the same query, per shift occurrence too.
/// </summary>
public sealed class MetricsExportTests() : ApiTest(shiftCalendars: true)
{
    public override async ValueTask InitializeAsync() => await SeedAsync(_app.CreateClient(), new DateTimeOffset(2026, 1, 20, 19, 0, 0, TimeSpan.Zero), FactoryApp.Start.AddMinutes(-1));

    /// <summary>Three workers at three stations, re-asserting a state every four minutes, with units now and then.</summary>
    internal static async Task SeedAsync(HttpClient client, DateTimeOffset from, DateTimeOffset to)
    {
        var events = new List<object>();
        var i = 0;
        for (var t = from; t < to; t = t.AddMinutes(4), i++)
        {
            for (var w = 1; w <= 3; w++)
            {
                // Each worker has its own rhythm, so the figures differ per worker and per shift.
                var phase = (i + w * 7) % (10 + w);
                var type = phase < 6 ? "working" : phase < 8 ? "idle" : phase < 9 ? "absent" : "product_count";
                events.Add(FactoryHttp.Event(t.AddSeconds(w), worker: $"W{w}", station: $"S{w}", type: type, count: type == "product_count" ? w + 1 : 1));
            }
        }

        foreach (var chunk in events.Chunk(500))
        {
            var response = await client.PostBatchAsync(chunk);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(chunk.Length, (await response.JsonAsync()).GetProperty("accepted").GetInt32());
        }
    }

    public static TheoryData<string, string> Queries => new()
    {
        { "workers", "start_time=2026-01-21T06:00:00Z&end_time=2026-01-21T14:00:00Z" },
        { "workers", "start_time=2026-01-21T06:00:00Z&end_time=2026-01-21T14:00:00Z&shift=morning" },
        { "workers", "worker_id=W2&end_time=2026-01-21T12:30:00Z&as_of=2026-01-21T15:00:00Z" },
        { "workstations", "start_time=2026-01-20T22:00:00Z&end_time=2026-01-21T15:00:00Z" },
        { "workstations", "start_time=2026-01-20T22:00:00Z&end_time=2026-01-21T15:00:00Z&shift=night" },
        { "factory", "start_time=2026-01-21T00:00:00Z&end_time=2026-01-21T15:00:00Z" },
        { "factory", "start_time=2026-01-21T00:00:00Z&shift=Evening" },
        { "factory", "" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Csv_rows_read_back_to_exactly_the_api_figures_for_the_same_query(string kind, string query)
    {
        var client = _app.CreateClient();
        var csv = await GetCsvAsync(client, $"/api/export/{kind}.csv?{query}");
        var api = await GetApiRowsAsync(client, $"/api/metrics/{kind}?{query}");

        Assert.Equal(api.Count, csv.Rows.Count);
        Assert.NotEmpty(api);
        var shift = query.Split('&').Select(p => p.Split('=')).Where(p => p[0] == "shift").Select(p => p[1].ToLowerInvariant()).FirstOrDefault() ?? "";
        for (var i = 0; i < api.Count; i++)
        {
            AssertSameFigures(api[i], csv.Rows[i]);
            Assert.Equal(shift, csv.Rows[i]["shift"]);
        }

        // Some figure is not zero: a comparison of empty windows would prove nothing.
        Assert.Contains(api, row => row.GetProperty("working_hours").GetDouble() > 0);
    }

    [Fact]
    public async Task The_shift_reaches_the_engine_so_a_shift_export_covers_only_that_shift()
    {
        var client = _app.CreateClient();
        const string window = "start_time=2026-01-20T22:00:00Z&end_time=2026-01-21T15:00:00Z";
        var all = await GetCsvAsync(client, $"/api/export/factory.csv?{window}");
        var night = await GetCsvAsync(client, $"/api/export/factory.csv?{window}&shift=night");

        var allTracked = double.Parse(all.Rows.Single()["tracked_hours"], CultureInfo.InvariantCulture);
        var nightTracked = double.Parse(night.Rows.Single()["tracked_hours"], CultureInfo.InvariantCulture);
        Assert.True(nightTracked > 0 && nightTracked < allTracked, $"night {nightTracked} h, whole window {allTracked} h");
        Assert.Equal("night", night.Rows.Single()["shift"]);
    }

    [Fact]
    public async Task Csv_columns_are_the_api_fields_then_the_window_and_the_shift()
    {
        var client = _app.CreateClient();
        var workers = await GetCsvAsync(client, "/api/export/workers.csv?start_time=2026-01-21T06:00:00Z&end_time=2026-01-21T14:00:00Z");
        var api = await GetApiRowsAsync(client, "/api/metrics/workers?start_time=2026-01-21T06:00:00Z&end_time=2026-01-21T14:00:00Z");

        var fields = api[0].EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(fields.Take(2).Concat(["start_time", "end_time", "as_of"]).Concat(fields.Skip(2)).Append("shift"), workers.Headers);
        Assert.Equal("2026-01-21T06:00:00Z", workers.Rows[0]["start_time"]);
        Assert.Equal("2026-01-21T14:00:00Z", workers.Rows[0]["end_time"]);
        Assert.Equal("2026-01-21T15:00:00Z", workers.Rows[0]["as_of"]);

        var factory = await GetCsvAsync(client, "/api/export/factory.csv");
        Assert.Equal(["start_time", "end_time", "as_of", "working_hours"], factory.Headers.Take(4));
        Assert.Equal("shift", factory.Headers[^1]);
    }

    [Fact]
    public async Task Per_shift_rows_equal_the_api_over_each_occurrence_clipped_to_the_window()
    {
        var client = _app.CreateClient();
        var response = await client.GetAsync("/api/export/workers.csv?start_time=2026-01-20T20:00:00Z&end_time=2026-01-21T15:00:00Z&per_shift=true", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("workers_2026-01-20T20-00Z_2026-01-21T15-00Z_per_shift.csv", response.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        var csv = Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(["shift", "shift_date", "shift_start", "shift_end"], csv.Headers.TakeLast(4));
        var slices = csv.Rows.GroupBy(r => (r["shift"], r["shift_date"], r["shift_start"], r["shift_end"], r["start_time"], r["end_time"], r["as_of"])).Select(g => g.Key).ToList();
        Assert.Equal(
        [
            ("evening", "2026-01-20", "2026-01-20T14:00:00Z", "2026-01-20T22:00:00Z", "2026-01-20T20:00:00Z", "2026-01-20T22:00:00Z", "2026-01-21T15:00:00Z"),
            ("night", "2026-01-20", "2026-01-20T22:00:00Z", "2026-01-21T06:00:00Z", "2026-01-20T22:00:00Z", "2026-01-21T06:00:00Z", "2026-01-21T15:00:00Z"),
            ("morning", "2026-01-21", "2026-01-21T06:00:00Z", "2026-01-21T14:00:00Z", "2026-01-21T06:00:00Z", "2026-01-21T14:00:00Z", "2026-01-21T15:00:00Z"),
            ("evening", "2026-01-21", "2026-01-21T14:00:00Z", "2026-01-21T22:00:00Z", "2026-01-21T14:00:00Z", "2026-01-21T15:00:00Z", "2026-01-21T15:00:00Z"),
        ], slices);

        foreach (var slice in slices)
        {
            var rows = csv.Rows.Where(r => r["shift"] == slice.Item1 && r["shift_date"] == slice.Item2).ToList();
            var api = await GetApiRowsAsync(client, $"/api/metrics/workers?start_time={slice.Item5}&end_time={slice.Item6}&as_of={slice.Item7}");
            Assert.Equal(api.Count, rows.Count);
            for (var i = 0; i < api.Count; i++)
            {
                AssertSameFigures(api[i], rows[i]);
            }
        }

        // The slices differ: the morning's figures are not the night's.
        Assert.NotEqual(
            csv.Rows.First(r => r["shift"] == "night" && r["worker_id"] == "W1")["working_hours"],
            csv.Rows.First(r => r["shift"] == "morning" && r["worker_id"] == "W1")["working_hours"]);
    }

    [Theory]
    [InlineData("workstations")]
    [InlineData("factory")]
    public async Task Per_shift_of_one_shift_lists_only_its_occurrences(string kind)
    {
        var client = _app.CreateClient();
        var csv = await GetCsvAsync(client, $"/api/export/{kind}.csv?start_time=2026-01-20T00:00:00Z&end_time=2026-01-21T15:00:00Z&shift=morning&per_shift=1");
        Assert.All(csv.Rows, r => Assert.Equal("morning", r["shift"]));
        Assert.Equal(["2026-01-20", "2026-01-21"], csv.Rows.Select(r => r["shift_date"]).Distinct());

        var api = await GetApiRowsAsync(client, $"/api/metrics/{kind}?start_time=2026-01-21T06:00:00Z&end_time=2026-01-21T14:00:00Z&as_of=2026-01-21T15:00:00Z");
        var morning = csv.Rows.Where(r => r["shift_date"] == "2026-01-21").ToList();
        Assert.Equal(api.Count, morning.Count);
        for (var i = 0; i < api.Count; i++)
        {
            AssertSameFigures(api[i], morning[i]);
        }
    }

    [Fact]
    public async Task File_name_carries_the_window_and_the_shift()
    {
        var response = await _app.CreateClient().GetAsync("/api/export/workers.csv?start_time=2026-01-21T06:00:00Z&end_time=2026-01-21T14:00:00Z&shift=morning", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("workers_2026-01-21T06-00Z_2026-01-21T14-00Z_morning.csv", response.Content.Headers.ContentDisposition.FileName?.Trim('"'));
    }

    [Theory]
    [InlineData("workers", "start_time=yesterday", "start_time")]
    [InlineData("workstations", "start_time=2026-01-21T10:00:00Z&end_time=2026-01-21T09:00:00Z", "start_time")]
    [InlineData("factory", "as_of=2026-01-21T10:00", "as_of")]
    [InlineData("factory", "per_shift=maybe", "per_shift")]
    [InlineData("workers", "worker_id=", "worker_id")]
    [InlineData("factory", "shift=", "shift")]
    public async Task Bad_parameters_are_a_400_problem_naming_them(string kind, string query, string field)
    {
        var response = await _app.CreateClient().GetAsync($"/api/export/{kind}.csv?{query}", TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Theory]
    [InlineData("workers")]
    [InlineData("workstations")]
    [InlineData("factory")]
    public async Task An_unknown_shift_is_a_400_listing_the_calendar_shifts(string kind)
    {
        var response = await _app.CreateClient().GetAsync($"/api/export/{kind}.csv?shift=graveyard&per_shift=true", TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        var message = problem.GetProperty("errors").GetProperty("shift")[0].GetString();
        Assert.Contains("graveyard", message, StringComparison.Ordinal);
        Assert.Contains("morning, evening, night", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_ids_are_404_problems()
    {
        var client = _app.CreateClient();
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/export/workers.csv?worker_id=W99", TestContext.Current.CancellationToken), 404);
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/export/workstations.csv?workstation_id=S99", TestContext.Current.CancellationToken), 404);
    }

    [Fact]
    public async Task A_per_shift_export_over_too_many_occurrences_is_refused()
    {
        // More than 400 occurrences of three daily shifts need more than the default window limit (90 days).
        await using var app = new FactoryApp(new Dictionary<string, string?> { ["Limits:MaxWindow"] = "400.00:00:00" }, shiftCalendars: true);
        var response = await app.CreateClient().GetAsync("/api/export/factory.csv?start_time=2025-01-01T00:00:00Z&per_shift=true", TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("400 shift occurrences", ProblemAssert.Explanation(problem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_per_shift_export_beyond_the_window_limit_is_refused_on_start_time_before_any_occurrence_is_counted()
    {
        var response = await _app.CreateClient().GetAsync("/api/export/factory.csv?start_time=2025-01-01T00:00:00Z&per_shift=true", TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("Limits:MaxWindow", problem.GetProperty("errors").GetProperty("start_time")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Formula_looking_worker_names_are_escaped()
    {
        var client = _app.CreateClient();
        var renamed = await client.PutAsJsonAsync("/api/admin/workers/W2", new { name = "=HYPERLINK(\"http://x\",\"y\")" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);

        var response = await client.GetAsync("/api/export/workers.csv?worker_id=W2", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(",=HYPERLINK", text, StringComparison.Ordinal);
        Assert.DoesNotContain(",\"=HYPERLINK", text, StringComparison.Ordinal);
        Assert.Equal("'=HYPERLINK(\"http://x\",\"y\")", Parse(text).Rows.Single()["worker_name"]);
    }

    [Fact]
    public async Task Exports_need_a_viewer_key_only()
    {
        var response = await _app.CreateClientAs("viewer").GetAsync("/api/export/factory.csv", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OpenApi_lists_the_exports_with_their_shift_parameters_and_csv_response()
    {
        var doc = await _app.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);
        foreach (var kind in new[] { "workers", "workstations", "factory" })
        {
            var get = doc.GetProperty("paths").GetProperty($"/api/export/{kind}.csv").GetProperty("get");
            var parameters = get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Superset(new HashSet<string?> { "start_time", "end_time", "as_of", "shift", "per_shift" }, parameters.ToHashSet());
            Assert.True(get.GetProperty("responses").TryGetProperty("200", out var ok) && ok.TryGetProperty("content", out var content) && content.TryGetProperty("text/csv", out _), get.GetRawText());
        }
    }

    /// <summary>Equal figure by figure: numbers as doubles (exactly), the rest as text.</summary>
    internal static void AssertSameFigures(JsonElement api, IReadOnlyDictionary<string, string> csv)
    {
        foreach (var field in api.EnumerateObject())
        {
            Assert.True(csv.ContainsKey(field.Name), $"no column {field.Name}");
            var text = csv[field.Name];
            switch (field.Value.ValueKind)
            {
                case JsonValueKind.Number:
                    Assert.True(field.Value.GetDouble() == double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), $"{field.Name}: api {field.Value.GetRawText()}, csv {text}");
                    break;
                case JsonValueKind.Null:
                    Assert.Equal("", text);
                    break;
                case JsonValueKind.String:
                    Assert.Equal(field.Value.GetString(), text);
                    break;
                default:
                    Assert.Equal(field.Value.GetRawText(), text);
                    break;
            }
        }
    }

    internal static async Task<List<JsonElement>> GetApiRowsAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.JsonAsync();
        return json.ValueKind == JsonValueKind.Array ? json.EnumerateArray().ToList() : [json];
    }

    internal static async Task<CsvTable> GetCsvAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return Parse(text);
    }

    internal sealed record CsvTable(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows);

    internal static CsvTable Parse(string text)
    {
        using var reader = CsvReader.Create(new MemoryStream(Encoding.UTF8.GetBytes(text)), new CsvReaderOptions());
        var headers = reader.Headers.ToList();
        var rows = new List<IReadOnlyDictionary<string, string>>();
        while (reader.Read())
        {
            rows.Add(headers.Select((h, i) => (h, v: reader.GetString(i))).ToDictionary(x => x.h, x => x.v));
        }

        return new CsvTable(headers, rows);
    }
}

/// <summary>The exports when shift calendars are switched off: no shift can be asked for.</summary>
public sealed class MetricsExportCalendarOffTests() : ApiTest(shiftCalendars: false)
{
    [Theory]
    [InlineData("workers.csv?shift=morning", "shift")]
    [InlineData("workstations.csv?per_shift=true", "per_shift")]
    [InlineData("factory.csv?shift=night", "shift")]
    public async Task Any_shift_is_a_400_problem(string path, string field)
    {
        var response = await _app.CreateClient().GetAsync($"/api/export/{path}", TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("switched off", problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_shift_the_export_works_and_its_shift_column_is_empty()
    {
        var csv = await MetricsExportTests.GetCsvAsync(_app.CreateClient(), "/api/export/factory.csv");
        Assert.Equal("", csv.Rows.Single()["shift"]);
    }
}

/// <summary>A local day of 23 hours: 2026-03-29 in Europe/Berlin, when clocks go from 02:00 to 03:00.</summary>
public sealed class MetricsExportDaylightSavingTests() : ApiTest(new Dictionary<string, string?> { ["Factory:TimeZone"] = "Europe/Berlin" }, shiftCalendars: true)
{
    public override async ValueTask InitializeAsync()
    {
        _app.Time.SetUtcNow(new DateTimeOffset(2026, 3, 30, 12, 0, 0, TimeSpan.Zero));
        await MetricsExportTests.SeedAsync(_app.CreateClient(), new DateTimeOffset(2026, 3, 28, 20, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 29, 23, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task Per_shift_rows_of_the_short_day_follow_the_wall_clock_and_match_the_api()
    {
        var client = _app.CreateClient();
        // Local midnight to local midnight: 23:00Z (CET) to 22:00Z (CEST).
        var csv = await MetricsExportTests.GetCsvAsync(client, "/api/export/factory.csv?start_time=2026-03-28T23:00:00Z&end_time=2026-03-29T22:00:00Z&per_shift=true");

        var slices = csv.Rows.Select(r => (r["shift"], r["shift_date"], r["shift_start"], r["shift_end"], r["start_time"], r["end_time"])).ToList();
        Assert.Equal(
        [
            // The night from Saturday 22:00 CET to Sunday 06:00 CEST lasts 7 hours.
            ("night", "2026-03-28", "2026-03-28T21:00:00Z", "2026-03-29T04:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T04:00:00Z"),
            ("morning", "2026-03-29", "2026-03-29T04:00:00Z", "2026-03-29T12:00:00Z", "2026-03-29T04:00:00Z", "2026-03-29T12:00:00Z"),
            ("evening", "2026-03-29", "2026-03-29T12:00:00Z", "2026-03-29T20:00:00Z", "2026-03-29T12:00:00Z", "2026-03-29T20:00:00Z"),
            ("night", "2026-03-29", "2026-03-29T20:00:00Z", "2026-03-30T04:00:00Z", "2026-03-29T20:00:00Z", "2026-03-29T22:00:00Z"),
        ], slices);
        var hours = slices.Sum(s => (DateTime.Parse(s.Item6, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal) - DateTime.Parse(s.Item5, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)).TotalHours);
        Assert.Equal(23, hours);

        foreach (var row in csv.Rows)
        {
            var api = await MetricsExportTests.GetApiRowsAsync(client, $"/api/metrics/factory?start_time={row["start_time"]}&end_time={row["end_time"]}&as_of={row["as_of"]}");
            MetricsExportTests.AssertSameFigures(api.Single(), row);
        }

        var whole = await MetricsExportTests.GetCsvAsync(client, "/api/export/factory.csv?start_time=2026-03-28T23:00:00Z&end_time=2026-03-29T22:00:00Z");
        var day = await MetricsExportTests.GetApiRowsAsync(client, "/api/metrics/factory?start_time=2026-03-28T23:00:00Z&end_time=2026-03-29T22:00:00Z");
        MetricsExportTests.AssertSameFigures(day.Single(), whole.Rows.Single());
        Assert.True(day.Single().GetProperty("tracked_hours").GetDouble() > 20);
    }
}
