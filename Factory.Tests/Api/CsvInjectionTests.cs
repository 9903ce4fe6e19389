using System.Net;
using System.Net.Http.Json;
using System.Text;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>
/// Every CSV export that writes free text (camera ids, model versions, edge event ids, registry names, shift names)
/// prefixes a value starting with <c>=</c>, <c>+</c>, <c>-</c> or <c>@</c> with <c>'</c>, so a spreadsheet shows
/// it instead of running it; numbers (a negative arrival lag) stay numbers.
/// </summary>
public sealed class CsvInjectionTests() : ApiTest(shiftCalendars: true)
{
    private static readonly DateTimeOffset Now = FactoryApp.Start;

    private static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Every_export_prefixes_text_that_starts_with_a_formula_character_and_leaves_numbers_alone()
    {
        await SucceedsAsync(_client.PutAsJsonAsync("/api/admin/workers/W1", new { name = "=HYPERLINK(\"http://x\",\"y\")", shift = "morning", department = "assembly" }));
        await SucceedsAsync(_client.PostAsJsonAsync("/api/admin/workers", new { id = "W7", name = "@Bob", shift = "-early", department = "+dept" }));
        await SucceedsAsync(_client.PutAsJsonAsync("/api/admin/workstations/S1", new { name = "+Line A", location = "Hall 1", type = "assembly" }));
        await SucceedsAsync(_client.PutAsJsonAsync("/api/admin/shifts", new
        {
            enabled = true,
            shifts = new[]
            {
                new { name = "-early", start = "00:00", end = "12:00", breaks = Array.Empty<object>() },
                new { name = "@late", start = "12:00", end = "00:00", breaks = Array.Empty<object>() },
            },
        }));
        var posted = await (await _client.PostBatchAsync(
        [
            FactoryHttp.Event(Now.AddMinutes(-20), "W1", "S1", "working", camera: "=1+2", model: "+cmd|' /C calc'!A0", eventId: "-2+3"),
            FactoryHttp.Event(Now.AddMinutes(-19), "W7", "S1", "product_count", count: 3, camera: "@SUM(A1)", model: "-m", eventId: "@id"),
            FactoryHttp.Event(Now.AddMinutes(1), "W1", "S1", "idle", camera: "CAM-01", model: "v1", eventId: "ahead"),
        ])).JsonAsync();
        Assert.Equal(3, posted.GetProperty("accepted").GetInt32());

        var events = await CsvAsync(_client, "/api/export/events.csv");
        var byId = events.Skip(1).ToDictionary(r => Column(events, r, "event_id"));
        Assert.Equal("'=1+2", Column(events, byId["'-2+3"], "camera_id"));
        Assert.Equal("'+cmd|' /C calc'!A0", Column(events, byId["'-2+3"], "model_version"));
        Assert.Equal("'@SUM(A1)", Column(events, byId["'@id"], "camera_id"));
        Assert.Equal("'-m", Column(events, byId["'@id"], "model_version"));
        Assert.Equal("W1", Column(events, byId["ahead"], "worker_id"));
        Assert.Equal("-60", Column(events, byId["ahead"], "lag_seconds")); // a camera clock one minute ahead: a number

        var window = $"start_time={Iso(Now.AddHours(-1))}&end_time={Iso(Now)}";
        var workers = await CsvAsync(_client, $"/api/export/workers.csv?{window}&shift=-early");
        var w1 = workers.Skip(1).Single(r => Column(workers, r, "worker_id") == "W1");
        var w7 = workers.Skip(1).Single(r => Column(workers, r, "worker_id") == "W7");
        Assert.Equal("'=HYPERLINK(\"http://x\",\"y\")", Column(workers, w1, "worker_name"));
        Assert.Equal("'@Bob", Column(workers, w7, "worker_name"));
        Assert.Equal("'-early", Column(workers, w7, "shift"));

        var stations = await CsvAsync(_client, $"/api/export/workstations.csv?{window}&shift=@late");
        var s1 = stations.Skip(1).Single(r => Column(stations, r, "workstation_id") == "S1");
        Assert.Equal("'+Line A", Column(stations, s1, "workstation_name"));
        Assert.Equal("'@late", Column(stations, s1, "shift"));

        var factory = await CsvAsync(_client, $"/api/export/factory.csv?start_time={Iso(Now.AddHours(-20))}&end_time={Iso(Now)}&per_shift=true");
        Assert.Equal(["'-early", "'@late"], factory.Skip(1).Select(r => Column(factory, r, "shift")).Distinct().Order(StringComparer.Ordinal));
        Assert.All(factory.Skip(1), r => Assert.DoesNotContain("'", Column(factory, r, "events_in_window"), StringComparison.Ordinal));
    }

    private static async Task SucceedsAsync(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<List<List<string>>> CsvAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        var rows = Parse(text);
        Assert.True(rows.Count > 1, $"{url}: no rows\n{text}");
        return rows;
    }

    private static string Column(List<List<string>> table, List<string> row, string name)
    {
        var index = table[0].IndexOf(name);
        Assert.True(index >= 0, $"no column {name} in {string.Join(",", table[0])}");
        return row[index];
    }

    /// <summary>RFC 4180: fields separated by commas, optionally quoted with doubled quotes inside, rows by CRLF or LF.</summary>
    private static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\r' or '\n')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            rows.Add(row);
        }

        return rows;
    }
}
