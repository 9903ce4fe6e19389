using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Core.Registry;
using Factory.Core.Shifts;
using Factory.Core.Time;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Factory.Web.Endpoints;

/// <summary>
/// Metric exports: the rows of <c>/api/metrics/{workers,workstations,factory}</c> as CSV, for one window or one row per
/// shift occurrence. Columns are the API's JSON fields, written from the same serializer, so the two never disagree.
/// </summary>
public static partial class ExportEndpoints
{
    /// <summary>Most shift occurrences one per-shift export may compute (about four months of three shifts).</summary>
    internal const int MaxOccurrences = 400;

    private static readonly string[] WindowColumns = ["start_time", "end_time", "as_of"];

    private static readonly string[] OccurrenceColumns = ["shift_date", "shift_start", "shift_end"];

    private static void MapMetricsExports(this RouteGroupBuilder viewer)
    {
        viewer.MapGet("/export/workers.csv", ExportWorkers)
            .WithName("ExportWorkersCsv")
            .WithSummary("Worker metrics as CSV: the fields of GET /api/metrics/workers, the window and the shift")
            .WithDescription(PerShiftNote)
            .Produces(StatusCodes.Status200OK, typeof(string), "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
        viewer.MapGet("/export/workstations.csv", ExportWorkstations)
            .WithName("ExportWorkstationsCsv")
            .WithSummary("Workstation metrics as CSV: the fields of GET /api/metrics/workstations, the window and the shift")
            .WithDescription(PerShiftNote)
            .Produces(StatusCodes.Status200OK, typeof(string), "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
        viewer.MapGet("/export/factory.csv", ExportFactory)
            .WithName("ExportFactoryCsv")
            .WithSummary("Factory metrics as CSV: the fields of GET /api/metrics/factory and the shift")
            .WithDescription(PerShiftNote)
            .Produces(StatusCodes.Status200OK, typeof(string), "text/csv");
    }

    private const string PerShiftNote =
        "start_time, end_time, as_of and shift as for the matching /api/metrics endpoint. per_shift=true gives one row per shift " +
        "occurrence overlapping the window (of the given shift, or of every shift of the calendar), each computed over the " +
        "occurrence clipped to the window, with shift, shift_date (local date it starts on), shift_start and shift_end.";

    internal static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> ExportWorkers(
        [AsParameters] MetricsWindowQuery window, [FromServices] RegistryCache registry,
        [FromServices] IOptions<FactoryOptions> factory, [FromServices] IOptions<JsonOptions> json,
        string? worker_id, string? per_shift, CancellationToken ct)
    {
        var query = new QueryParameters();
        var id = query.Text(nameof(worker_id), worker_id);
        var request = await ParseAsync(query, window, factory.Value.Zone, per_shift, ct);
        var metrics = window.Metrics;
        if (request is null)
        {
            return (ValidationProblem)query.Problem();
        }

        if (id is not null && !(await registry.GetAsync(ct)).WorkersById.ContainsKey(id))
        {
            return UnknownId("worker", id, "/api/workers");
        }

        return MetricsCsv("workers", request, json.Value.SerializerOptions, (slice, token) => metrics.GetWorkersAsync(slice, id, token), ct);
    }

    internal static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> ExportWorkstations(
        [AsParameters] MetricsWindowQuery window, [FromServices] RegistryCache registry,
        [FromServices] IOptions<FactoryOptions> factory, [FromServices] IOptions<JsonOptions> json,
        string? workstation_id, string? per_shift, CancellationToken ct)
    {
        var query = new QueryParameters();
        var id = query.Text(nameof(workstation_id), workstation_id);
        var request = await ParseAsync(query, window, factory.Value.Zone, per_shift, ct);
        var metrics = window.Metrics;
        if (request is null)
        {
            return (ValidationProblem)query.Problem();
        }

        if (id is not null && !(await registry.GetAsync(ct)).WorkstationsById.ContainsKey(id))
        {
            return UnknownId("workstation", id, "/api/workstations");
        }

        return MetricsCsv("workstations", request, json.Value.SerializerOptions, (slice, token) => metrics.GetWorkstationsAsync(slice, id, token), ct);
    }

    internal static async Task<Results<PushStreamHttpResult, ValidationProblem>> ExportFactory(
        [AsParameters] MetricsWindowQuery window,
        [FromServices] IOptions<FactoryOptions> factory, [FromServices] IOptions<JsonOptions> json,
        string? per_shift, CancellationToken ct)
    {
        var query = new QueryParameters();
        var request = await ParseAsync(query, window, factory.Value.Zone, per_shift, ct);
        var metrics = window.Metrics;
        if (request is null)
        {
            return (ValidationProblem)query.Problem();
        }

        return MetricsCsv<FactoryMetrics>("factory", request, json.Value.SerializerOptions,
            async (slice, token) => [await metrics.GetFactoryAsync(slice, token)], ct);
    }

    /// <summary>One computed window of an export: the whole query window, or one shift occurrence clipped to it.</summary>
    internal sealed record ExportSlice(MetricsWindow Window, string? Shift, ShiftOccurrence? Occurrence);

    /// <summary>A validated export request: the resolved window and the slices its rows are computed over.</summary>
    internal sealed record ExportRequest(MetricsWindow Window, string? Shift, bool PerShift, IReadOnlyList<ExportSlice> Slices);

    /// <summary>The window and shift bound as the metrics endpoints bind them, and <c>per_shift</c>; null (with errors on <paramref name="query"/>) when invalid.</summary>
    private static async Task<ExportRequest?> ParseAsync(QueryParameters query, MetricsWindowQuery parameters, TimeZoneInfo zone, string? per_shift, CancellationToken ct)
    {
        var perShift = query.Bool(nameof(per_shift), per_shift, false);
        var bound = await parameters.BindAsync(query, ct);
        if (bound is null)
        {
            return null;
        }

        var (window, definition, calendar) = bound;
        if (perShift && (!calendar.Enabled || calendar.Shifts.Count == 0))
        {
            query.Add(nameof(per_shift), "Shift calendars are switched off, so there are no shifts to break the window down by.");
        }

        if (!query.IsValid)
        {
            return null;
        }

        var metrics = parameters.Metrics;
        window = window with { Shift = null };
        if (!perShift)
        {
            var filtered = window with { Shift = definition?.Name };
            return new ExportRequest(filtered, definition?.Name, false, [new ExportSlice(filtered, definition?.Name, null)]);
        }

        // Per shift by construction: each occurrence's own bounds, clipped to the window, resolved as the API resolves a query.
        var occurrences = (definition is null ? calendar.Shifts : [definition])
            .Select((s, order) => (Order: order, Occurrences: ShiftCalendar.Occurrences(s, window.Start, window.End, zone)))
            .SelectMany(s => s.Occurrences.Select(o => (s.Order, Occurrence: o)))
            .Take(MaxOccurrences + 1)
            .OrderBy(o => o.Occurrence.Start).ThenBy(o => o.Order)
            .Select(o => o.Occurrence)
            .ToList();
        if (occurrences.Count > MaxOccurrences)
        {
            query.Add(nameof(per_shift), $"The window holds more than {MaxOccurrences} shift occurrences; choose a shorter window or one shift.");
            return null;
        }

        var slices = occurrences
            .Select(o => new ExportSlice(
                metrics.ResolveWindow(o.Start > window.Start ? o.Start : window.Start, o.End < window.End ? o.End : window.End, window.AsOf),
                o.Shift, o))
            .ToList();
        return new ExportRequest(window, definition?.Name, true, slices);
    }

    private static PushStreamHttpResult MetricsCsv<T>(string kind, ExportRequest request, JsonSerializerOptions json,
        Func<MetricsWindow, CancellationToken, Task<IReadOnlyList<T>>> rows, CancellationToken ct)
    {
        var fields = json.GetTypeInfo(typeof(T)).Properties.Select(p => p.Name).ToList();
        // Rows without their own window fields (workers, workstations) get them after the id and the name.
        var windowColumns = WindowColumns.Where(c => !fields.Contains(c)).ToList();
        var columns = new List<string>(fields);
        columns.InsertRange(Math.Min(2, columns.Count), windowColumns);
        columns.Add("shift");
        if (request.PerShift)
        {
            columns.AddRange(OccurrenceColumns);
        }

        return TypedResults.Stream(async body =>
        {
            using var chunk = new MemoryStream();
            await using var csv = CsvWriter.Create(chunk, Csv, leaveOpen: true);
            foreach (var column in columns)
            {
                csv.WriteField(column);
            }

            csv.EndRecord();
            foreach (var slice in request.Slices)
            {
                foreach (var row in await rows(slice.Window, ct))
                {
                    var element = JsonSerializer.SerializeToElement(row, json);
                    foreach (var column in columns)
                    {
                        csv.WriteField(Field(column, element, slice));
                    }

                    csv.EndRecord();
                }

                // One slice at a time: a long per-shift export reaches the client as it is computed.
                await SendChunkAsync(csv, chunk, body);
            }

            await SendChunkAsync(csv, chunk, body);
        }, "text/csv; charset=utf-8", FileName(kind, request));
    }

    private static string Field(string column, JsonElement row, ExportSlice slice)
    {
        if (row.TryGetProperty(column, out var value))
        {
            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Null or JsonValueKind.Undefined => "",
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                // Numbers exactly as the API writes them: the shortest text that reads back to the same double.
                _ => value.GetRawText(),
            };
        }

        return column switch
        {
            "start_time" => WireTime.Format(slice.Window.Start),
            "end_time" => WireTime.Format(slice.Window.End),
            "as_of" => WireTime.Format(slice.Window.AsOf),
            "shift" => slice.Shift ?? "",
            "shift_date" => slice.Occurrence?.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
            "shift_start" => slice.Occurrence is { } start ? WireTime.Format(start.Start) : "",
            "shift_end" => slice.Occurrence is { } end ? WireTime.Format(end.End) : "",
            _ => "",
        };
    }

    /// <summary><c>workers_2026-01-21T06-00Z_2026-01-21T14-00Z_morning.csv</c>: the window (and shift) in the file name.</summary>
    internal static string FileName(string kind, ExportRequest request)
    {
        var name = new StringBuilder(kind)
            .Append('_').Append(request.Window.Start.ToString("yyyy-MM-dd'T'HH-mm'Z'", CultureInfo.InvariantCulture))
            .Append('_').Append(request.Window.End.ToString("yyyy-MM-dd'T'HH-mm'Z'", CultureInfo.InvariantCulture));
        if (request.Shift is not null)
        {
            name.Append('_').Append(new string(request.Shift.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' ? c : '-').ToArray()));
        }

        if (request.PerShift)
        {
            name.Append("_per_shift");
        }

        return name.Append(".csv").ToString();
    }

    private static ProblemHttpResult UnknownId(string kind, string id, string list) =>
        TypedResults.Problem($"No {kind} has id '{id}'; GET {list} lists the registered ones.", statusCode: StatusCodes.Status404NotFound, title: $"Unknown {kind}");
}
