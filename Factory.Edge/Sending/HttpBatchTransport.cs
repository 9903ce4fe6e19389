using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Edge.Buffer;

namespace Factory.Edge.Sending;

/// <summary>
/// Sends a batch as <c>POST /api/events/batch</c> and reads the answer as the server's own <see cref="BatchResponse"/>
/// contract; probes <c>GET /health</c>. The caller owns the <see cref="HttpClient"/> (its base address is the server).
/// </summary>
public sealed class HttpBatchTransport(HttpClient http, string? apiKey, TimeSpan requestTimeout, TimeProvider? time = null) : IBatchTransport
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Peer => "Server";

    public string Probe => "/health";

    public async Task<Delivery> SendAsync(IReadOnlyList<BufferedEvent> batch, CancellationToken ct)
    {
        HttpResponseMessage response;
        using var timeout = new CancellationTokenSource(requestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/events/batch") { Content = BatchBody(batch) };
            if (!string.IsNullOrEmpty(apiKey))
            {
                request.Headers.Add("X-Api-Key", apiKey);
            }

            response = await http.SendAsync(request, linked.Token);
        }
        catch (HttpRequestException ex)
        {
            return Delivery.Of(DeliveryKind.Unreachable, $"network error: {ex.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return Delivery.Of(DeliveryKind.Unreachable, $"no answer within {requestTimeout.TotalSeconds:0.#} s");
        }

        using (response)
        {
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(linked.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                return Delivery.Of(DeliveryKind.Unreachable, $"answer cut off: {ex.Message}");
            }

            var status = (int)response.StatusCode;
            if (status == 200)
            {
                return Settle(batch.Count, text);
            }

            var problem = $"{status} {response.ReasonPhrase}: {ProblemText(text)}";
            if (status is 408 or 429 || status >= 500)
            {
                return Delivery.Of(DeliveryKind.Busy, problem, retryAfter: RetryAfter(response));
            }

            if (status is 400 or 413 or 422)
            {
                return Delivery.Of(DeliveryKind.Unacceptable, problem);
            }

            return Delivery.Of(DeliveryKind.Refused, problem + RefusalHint(status));
        }
    }

    public async Task<bool> ProbeAsync(CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(requestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            using var response = await http.GetAsync("health", linked.Token);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static ByteArrayContent BatchBody(IReadOnlyList<BufferedEvent> batch)
    {
        // The buffered payloads are already the camera JSON of each event: the body is only their concatenation.
        var body = new StringBuilder(batch.Count * 256 + 16).Append("{\"events\":[");
        for (var i = 0; i < batch.Count; i++)
        {
            if (i > 0)
            {
                body.Append(',');
            }

            body.Append(batch[i].Payload);
        }

        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.Append("]}").ToString()));
        content.Headers.ContentType = Json;
        return content;
    }

    /// <summary>Reads a 200 answer: items it acknowledges or rejects are settled, anything it does not mention stays.</summary>
    internal static Delivery Settle(int count, string text)
    {
        BatchResponse? answer;
        try
        {
            answer = JsonSerializer.Deserialize<BatchResponse>(text, AnswerJson);
        }
        catch (JsonException)
        {
            answer = null;
        }

        if (answer is null)
        {
            // The server may have stored the events; resending is safe because of event_id.
            return Delivery.Of(DeliveryKind.Busy, "200 with a body that is not the batch answer");
        }

        var settled = new ItemSettlement?[count];
        foreach (var r in answer.Rejected)
        {
            if (r.Index >= 0 && r.Index < count && settled[r.Index] is null)
            {
                settled[r.Index] = new ItemSettlement(r.Index, ItemFate.Rejected, ErrorText(r.Errors));
            }
        }

        if (answer.Results is { } results)
        {
            foreach (var r in results)
            {
                var fate = r.Status switch
                {
                    BatchItemStatus.Accepted => ItemFate.Accepted,
                    BatchItemStatus.Duplicate => ItemFate.Duplicate,
                    _ => (ItemFate?)null,
                };
                if (fate is { } f && r.Index >= 0 && r.Index < count && settled[r.Index] is null)
                {
                    settled[r.Index] = new ItemSettlement(r.Index, f);
                }
            }
        }
        else if (answer.Accepted + answer.Duplicates + settled.Count(s => s is not null) == count)
        {
            // A server without per-item results: the counts add up, so every item not rejected was stored.
            var accepted = answer.Accepted;
            for (var i = 0; i < count; i++)
            {
                settled[i] ??= new ItemSettlement(i, accepted-- > 0 ? ItemFate.Accepted : ItemFate.Duplicate);
            }
        }

        var list = settled.OfType<ItemSettlement>().ToList();
        return list.Count == 0
            ? Delivery.Of(DeliveryKind.Busy, "200 that acknowledged none of the batch")
            : Delivery.Of(DeliveryKind.Settled, "", list);
    }

    /// <summary>The wire settings, and the answer's fields required: a missing index must not settle item 0.</summary>
    private static readonly JsonSerializerOptions AnswerJson = new(WireJson.Options) { RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true };

    private static string ErrorText(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - _time.GetUtcNow() : null;
    }

    private static string ProblemText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var name in (string[])["detail", "title"])
                {
                    if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        return Shorten(value.GetString()!);
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return body.Length == 0 ? "no details" : Shorten(body);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static string RefusalHint(int status) => status switch
    {
        (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden => " (check the camera API key, --api-key)",
        (int)HttpStatusCode.NotFound or (int)HttpStatusCode.MethodNotAllowed => " (check --server: it does not look like a Factory Pulse server)",
        _ => string.Empty,
    };
}
