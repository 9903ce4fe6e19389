using System.Text.Json;

namespace Factory.Tests.Api;

/// <summary>Checks shared by every test of error responses.</summary>
internal static class ProblemAssert
{
    /// <summary>A ProblemDetails must explain the request, never the server: no stack frames, exception types or file paths.</summary>
    public static void HasNoInternals(string body)
    {
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", body, StringComparison.Ordinal);
        Assert.DoesNotContain("stack", body, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Asserts the response is a ProblemDetails with <paramref name="status"/> and returns it.</summary>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        HasNoInternals(text);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>The detail and the per-field errors of a problem, as one searchable text.</summary>
    public static string Explanation(JsonElement problem) =>
        (problem.TryGetProperty("detail", out var detail) ? detail.GetString() : "")
        + (problem.TryGetProperty("errors", out var errors) ? errors.GetRawText() : "");

    public static Task<HttpResponseMessage> PostJsonTextAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
}
