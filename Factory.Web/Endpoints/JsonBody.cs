using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace Factory.Web.Endpoints;

/// <summary>
/// Reads a request body as JSON with explicit limits, so that every way a body can be wrong
/// (type, size, encoding, syntax, depth) is answered with a ProblemDetails that says which.
/// </summary>
internal static class JsonBody
{
    public const int MaxDepth = 32;

    public static async Task<JsonBodyResult> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            var given = string.IsNullOrEmpty(request.ContentType) ? "none" : $"'{request.ContentType}'";
            return Fail(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"The body must be JSON sent with 'Content-Type: application/json' (given: {given}).");
        }

        if (request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes + 1, (int?)request.ContentLength + 1 ?? 64 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        return TooLarge(maxBytes);
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes + 1, buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, buffer.Length - length), ct);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    return TooLarge(maxBytes);
                }
            }

            if (length == 0 || buffer.AsSpan(0, length).Trim(" \t\r\n"u8).IsEmpty)
            {
                return Fail(StatusCodes.Status400BadRequest, "Empty body", "The request body is empty; send a JSON object.");
            }

            // A byte order mark is allowed by RFC 8259 to be ignored; some camera firmware sends one.
            var start = buffer.AsSpan(0, length).StartsWith("\uFEFF"u8) ? 3 : 0;

            // The reader does not validate UTF-8 inside strings; reading such a string later would throw.
            if (!Utf8.IsValid(buffer.AsSpan(start, length - start)))
            {
                return Fail(StatusCodes.Status400BadRequest, "Invalid UTF-8", "The body is not valid UTF-8; send JSON encoded as UTF-8.");
            }

            try
            {
                // Duplicate keys are refused: which of two values a camera meant is a guess.
                var document = JsonDocument.Parse(buffer.AsMemory(start, length - start).ToArray(),
                    new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
                return new JsonBodyResult(document, null);
            }
            catch (JsonException ex)
            {
                return Fail(StatusCodes.Status400BadRequest, "Invalid JSON",
                    $"The body is not valid JSON (UTF-8, at most {MaxDepth} levels deep): {ex.Message}");
            }
            catch (InvalidOperationException)
            {
                // Thrown while comparing property names that escape a lone surrogate (e.g. "\ud800").
                return Fail(StatusCodes.Status400BadRequest, "Invalid JSON",
                    "The body is not valid JSON text: a property name contains an unpaired \\u surrogate escape.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static JsonBodyResult TooLarge(int maxBytes) =>
        Fail(StatusCodes.Status413PayloadTooLarge, "Body too large",
            $"The body exceeds the limit of {maxBytes:N0} bytes (Ingestion:MaxBodyBytes); split it into smaller batches.");

    private static JsonBodyResult Fail(int status, string title, string detail) =>
        new(null, TypedResults.Problem(detail, statusCode: status, title: title));
}

internal sealed record JsonBodyResult(JsonDocument? Document, IResult? Error);
