using System.Text;
using Factory.Web.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Factory.Tests.Api;

/// <summary>Reading a request body within limits, including bodies whose length is not announced (chunked).</summary>
public sealed class JsonBodyTests
{
    private static HttpRequest Request(byte[] body, bool announceLength, string contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = announceLength ? body.Length : null;
        return context.Request;
    }

    private static byte[] Array(int bytes)
    {
        // A valid JSON array padded with whitespace to the exact size.
        var text = "[1" + new string(' ', bytes - 3) + "]";
        return Encoding.UTF8.GetBytes(text);
    }

    [Theory]
    [InlineData(4096, true)]
    [InlineData(4096, false)]
    [InlineData(200_000, false)]
    public async Task Body_up_to_the_limit_is_parsed_whether_or_not_its_length_is_announced(int size, bool announce)
    {
        var result = await JsonBody.ReadAsync(Request(Array(size), announce), maxBytes: size, CancellationToken.None);
        Assert.Null(result.Error);
        using var document = result.Document!;
        Assert.Equal(1, document.RootElement[0].GetInt32());
    }

    [Theory]
    [InlineData(4097, 4096, true)]
    [InlineData(4097, 4096, false)]
    [InlineData(300_000, 100_000, false)]
    public async Task Body_over_the_limit_is_413_whether_or_not_its_length_is_announced(int size, int limit, bool announce)
    {
        var result = await JsonBody.ReadAsync(Request(Array(size), announce), limit, CancellationToken.None);
        Assert.Null(result.Document);
        var problem = Assert.IsType<ProblemHttpResult>(result.Error);
        Assert.Equal(413, problem.StatusCode);
        Assert.Contains("Ingestion:MaxBodyBytes", problem.ProblemDetails.Detail);
    }

    [Fact]
    public async Task Leading_byte_order_mark_is_ignored()
    {
        var result = await JsonBody.ReadAsync(Request([0xEF, 0xBB, 0xBF, .. "{\"a\":1}"u8], true), 4096, CancellationToken.None);
        Assert.Equal(1, result.Document!.RootElement.GetProperty("a").GetInt32());
    }

    [Fact]
    public async Task Duplicate_keys_are_invalid_json_naming_the_key()
    {
        var result = await JsonBody.ReadAsync(Request("{\"worker_id\":\"W1\",\"worker_id\":\"W2\"}"u8.ToArray(), true), 4096, CancellationToken.None);
        var problem = Assert.IsType<ProblemHttpResult>(result.Error);
        Assert.Equal(400, problem.StatusCode);
        Assert.Contains("worker_id", problem.ProblemDetails.Detail);
    }
}
