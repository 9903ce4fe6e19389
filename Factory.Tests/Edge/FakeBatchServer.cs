using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Factory.Tests.Edge;

/// <summary>
/// An in-memory stand-in for the server's HTTP surface: a responder decides the answer to each request,
/// and every request is recorded with the (fake) time it arrived.
/// </summary>
internal sealed class FakeBatchServer(FakeTimeProvider time, Func<FakeBatchServer.Call, HttpResponseMessage> respond) : HttpMessageHandler
{
    private readonly ConcurrentQueue<Call> _calls = new();

    public IReadOnlyList<Call> Calls => [.. _calls];

    public IReadOnlyList<Call> Batches => [.. _calls.Where(c => c.Path == "/api/events/batch")];

    public IReadOnlyList<Call> Probes => [.. _calls.Where(c => c.Path == "/health")];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var ids = new List<string>();
        if (body is not null)
        {
            using var document = JsonDocument.Parse(body);
            ids.AddRange(document.RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event_id").GetString()!));
        }

        var call = new Call(time.GetUtcNow(), request.RequestUri!.AbsolutePath, request.Headers.TryGetValues("X-Api-Key", out var keys) ? keys.Single() : null, ids, body);
        _calls.Enqueue(call);
        return respond(call);
    }

    /// <summary>A 200 batch answer that accepts every item except <paramref name="rejected"/>.</summary>
    public static HttpResponseMessage Accept(Call call, params int[] rejected)
    {
        var results = Enumerable.Range(0, call.EventIds.Count).Where(i => !rejected.Contains(i))
            .Select(i => new { index = i, id = i + 1, status = "accepted" }).ToList();
        var rejections = rejected.Select(i => new { index = i, errors = new Dictionary<string, string[]> { ["timestamp"] = ["Is more than 00:05:00 in the future."] } });
        return Json(HttpStatusCode.OK, new { accepted = results.Count, duplicates = 0, rejected = rejections, results });
    }

    public static HttpResponseMessage Json(HttpStatusCode status, object body) => new(status)
    {
        Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
    };

    public static HttpResponseMessage Problem(HttpStatusCode status, string detail) => new(status)
    {
        Content = new StringContent(JsonSerializer.Serialize(new { status = (int)status, title = status.ToString(), detail }), Encoding.UTF8, "application/problem+json"),
    };

    public sealed record Call(DateTimeOffset At, string Path, string? ApiKey, IReadOnlyList<string> EventIds, string? Body);
}
