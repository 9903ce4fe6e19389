using System.Collections.Concurrent;
using System.Net;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

/// <summary>
/// The write path's limits and durability settings, observed on the real single writer: a full queue, the most
/// events folded into one transaction, and the journal and sync settings of the writer's own connection.
/// </summary>
public sealed class IngestionLimitsTests
{
    private static readonly DateTimeOffset Now = FactoryApp.Start;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs in the writer right after each commit: records the commit's size and holds the writer after the first
    /// one until released, so that requests pile up in its queue.
    /// </summary>
    private sealed class WriterGate : ICommitObserver
    {
        private readonly SemaphoreSlim _release = new(0);
        private int _commits;

        public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<int> CommitSizes { get; } = new();

        public void OnCommitted(IReadOnlyList<FactoryEvent> stored)
        {
            CommitSizes.Enqueue(stored.Count);
            if (Interlocked.Increment(ref _commits) == 1)
            {
                Holding.TrySetResult();
                _release.Wait(Deadline);
            }
        }

        public void Release() => _release.Release();
    }

    private static HeldHost Held(FactoryApp app, WriterGate gate) =>
        new(app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ICommitObserver>(gate))));

    /// <summary>The derived test host and its writer.</summary>
    private sealed class HeldHost(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory) : IDisposable
    {
        public HttpClient Client { get; } = factory.CreateClient();

        public EventWriter Writer => factory.Services.GetRequiredService<EventWriter>();

        public IServiceProvider Services => factory.Services;

        public void Dispose()
        {
            Client.Dispose();
            factory.Dispose();
        }
    }

    private static object At(int second, string? eventId = null) =>
        FactoryHttp.Event(Now.AddMinutes(-30).AddSeconds(second), worker: $"W{second % 6 + 1}", eventId: eventId ?? $"limits-{second}");

    private static async Task<HashSet<string>> StoredIdsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        return (await db.Events.Select(e => e.EventId!).ToListAsync()).ToHashSet();
    }

    [Fact]
    public async Task A_full_write_queue_answers_503_with_retry_after_and_stores_nothing_of_that_request()
    {
        await using var app = new FactoryApp(new Dictionary<string, string?> { ["Ingestion:QueueCapacity"] = "2" });
        var gate = new WriterGate();
        using var host = Held(app, gate);

        var first = host.Client.PostEventAsync(At(0));
        await gate.Holding.Task.WaitAsync(Deadline);
        var queued = new[] { host.Client.PostEventAsync(At(1)), host.Client.PostEventAsync(At(2)) };
        await Eventually.TrueAsync(() => host.Writer.QueuedRequests == 2, "two requests wait in the writer's queue", Deadline);

        using var refused = await host.Client.PostEventAsync(At(3)).WaitAsync(Deadline);
        var problem = await ProblemAssert.IsProblemAsync(refused, 503);
        Assert.Contains("retry", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        using var batchRefused = await host.Client.PostBatchAsync([At(4), At(5)]).WaitAsync(Deadline);
        await ProblemAssert.IsProblemAsync(batchRefused, 503);
        Assert.False(first.IsCompleted, "the held request was answered before its commit finished");

        gate.Release();
        foreach (var pending in queued.Prepend(first))
        {
            using var response = await pending.WaitAsync(Deadline);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        Assert.Equal(["limits-0", "limits-1", "limits-2"], (await StoredIdsAsync(host.Services)).Order(StringComparer.Ordinal));
        using var retry = await host.Client.PostEventAsync(At(3));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
    }

    [Fact]
    public async Task One_transaction_never_holds_more_than_MaxEventsPerCommit_events_from_queued_requests()
    {
        await using var app = new FactoryApp(new Dictionary<string, string?> { ["Ingestion:MaxEventsPerCommit"] = "10" });
        var gate = new WriterGate();
        using var host = Held(app, gate);

        var first = host.Client.PostEventAsync(At(0));
        await gate.Holding.Task.WaitAsync(Deadline);
        var batches = Enumerable.Range(0, 6)
            .Select(b => host.Client.PostBatchAsync(Enumerable.Range(1 + b * 4, 4).Select(i => At(i))))
            .ToList();
        await Eventually.TrueAsync(() => host.Writer.QueuedRequests == 6, "six batches of four wait in the writer's queue", Deadline);

        gate.Release();
        foreach (var pending in batches.Prepend(first))
        {
            using var response = await pending.WaitAsync(Deadline);
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
        }

        var sizes = gate.CommitSizes.Skip(1).ToList();
        Assert.Equal(24, sizes.Sum());
        Assert.All(sizes, size => Assert.InRange(size, 1, 10));
        // Still a group commit: requests waiting together share transactions (two batches of four each).
        Assert.Equal([8, 8, 8], sizes);
    }

    [Fact]
    public async Task A_batch_larger_than_MaxEventsPerCommit_is_still_one_transaction()
    {
        await using var app = new FactoryApp(new Dictionary<string, string?> { ["Ingestion:MaxEventsPerCommit"] = "10" });
        var gate = new WriterGate();
        using var host = Held(app, gate);

        var first = host.Client.PostEventAsync(At(0));
        await gate.Holding.Task.WaitAsync(Deadline);
        gate.Release();
        using (var answered = await first.WaitAsync(Deadline))
        {
            Assert.Equal(HttpStatusCode.Created, answered.StatusCode);
        }

        using var response = await host.Client.PostBatchAsync(Enumerable.Range(1, 15).Select(i => At(i))).WaitAsync(Deadline);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([1, 15], gate.CommitSizes);
    }

    [Fact]
    public async Task The_writers_own_connection_commits_durably()
    {
        await using var app = new FactoryApp();
        var stores = new ConcurrentQueue<IEventStore>();
        using var factory = app.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            var original = services.Last(d => d.ServiceType == typeof(Func<IEventStore>));
            services.Remove(original);
            services.AddSingleton<Func<IEventStore>>(sp =>
            {
                var create = (Func<IEventStore>)original.ImplementationFactory!(sp);
                return () =>
                {
                    var store = create();
                    stores.Enqueue(store);
                    return store;
                };
            });
        }));
        using var client = factory.CreateClient();
        using var posted = await client.PostEventAsync(At(0));
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);

        var store = Assert.IsType<SqlEventStore>(Assert.Single(stores));
        var ct = TestContext.Current.CancellationToken;
        if (FactoryApp.UsePostgres)
        {
            Assert.Equal("on", await store.ReadSettingAsync("synchronous_commit", ct));
        }
        else
        {
            Assert.Equal("wal", await store.ReadSettingAsync("journal_mode", ct));
            Assert.Equal("2", await store.ReadSettingAsync("synchronous", ct)); // 2 = FULL: every commit is synced, not only checkpoints
        }
    }
}
