using System.Net;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

/// <summary>Server-side failures are ProblemDetails that say what to do, never what went wrong inside.</summary>
public sealed class ErrorHandlingTests : ApiTest
{
    private const string Secret = "disk I/O error at /var/lib/factory/factory.db";

    [Theory]
    [InlineData("Testing")]
    [InlineData("Development")]
    public async Task Failed_commit_is_a_503_problem_with_retry_after_and_no_internals(string environment)
    {
        using var failing = _app.WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.ConfigureTestServices(s => s.AddSingleton<Func<IEventStore>>(_ => () => new BrokenStore()));
        });
        var client = failing.CreateClient();

        var response = await client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-1)));
        var problem = await ProblemAssert.IsProblemAsync(response, 503);
        Assert.Contains("retry", problem.GetProperty("detail").GetString());
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.DoesNotContain("I/O", await response.Content.ReadAsStringAsync());

        await using var scope = failing.Services.CreateAsyncScope();
        Assert.Equal(0, await scope.ServiceProvider.GetRequiredService<FactoryDbContext>().Events.CountAsync());
    }

    [Fact]
    public async Task Unexpected_exception_is_a_500_problem_without_message_or_stack()
    {
        _app.CreateClient().Dispose();
        var context = new DefaultHttpContext { RequestServices = _app.Services };
        context.Request.Path = "/api/events";
        context.Response.Body = new MemoryStream();
        Exception exception;
        try
        {
            throw new InvalidOperationException(Secret);
        }
        catch (InvalidOperationException ex)
        {
            exception = ex;
        }

        var handled = false;
        foreach (var handler in _app.Services.GetServices<IExceptionHandler>())
        {
            handled |= await handler.TryHandleAsync(context, exception, CancellationToken.None);
        }

        Assert.True(handled);
        Assert.Equal(500, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Contains("\"status\":500", body);
        Assert.DoesNotContain("disk", body);
        Assert.DoesNotContain(nameof(Unexpected_exception_is_a_500_problem_without_message_or_stack), body);
        ProblemAssert.HasNoInternals(body);
    }

    private sealed class BrokenStore : IEventStore
    {
        public Task<(WriteOutcome[] Outcomes, List<FactoryEvent> Stored)> InsertAsync(IReadOnlyList<PendingEvent> events, DateTime receivedAt, CancellationToken ct) =>
            throw new IOException(Secret);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
