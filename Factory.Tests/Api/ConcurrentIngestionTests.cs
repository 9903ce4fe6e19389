using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using Factory.Core.Data;
using Factory.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

/// <summary>Many cameras at once: every acknowledged event is stored exactly once, and acknowledged means committed.</summary>
public sealed class ConcurrentIngestionTests : ApiTest
{
    private const int Clients = 50;
    private const int EventsPerClient = 40;

    public override ValueTask InitializeAsync()
    {
        // Start the server before clients race to create it.
        _app.CreateClient().Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Event number <paramref name="k"/> of the run: its dedup key is unique to it.</summary>
    private static object EventNumber(int k) => FactoryHttp.Event(
        FactoryApp.Start.AddHours(-2).AddSeconds(k / 6), worker: $"W{(k % 6) + 1}", station: $"S{(k % 6) + 1}",
        type: k % 7 == 0 ? "product_count" : "working", camera: $"CAM-{k % 50:00}");

    [Fact]
    public async Task Fifty_concurrent_clients_each_acknowledged_event_is_stored_exactly_once()
    {
        var acknowledged = new ConcurrentDictionary<int, ConcurrentBag<(long Id, bool Duplicate)>>();
        var failures = new ConcurrentBag<string>();

        async Task Record(HttpResponseMessage response, IReadOnlyList<int> keys)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created) || text.Contains("locked", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{(int)response.StatusCode}: {text}");
                return;
            }

            var body = System.Text.Json.JsonDocument.Parse(text).RootElement;
            if (body.TryGetProperty("results", out var results))
            {
                foreach (var r in results.EnumerateArray())
                {
                    acknowledged.GetOrAdd(keys[r.GetProperty("index").GetInt32()], _ => [])
                        .Add((r.GetProperty("id").GetInt64(), r.GetProperty("status").GetString() == "duplicate"));
                }
            }
            else
            {
                acknowledged.GetOrAdd(keys[0], _ => []).Add((body.GetProperty("id").GetInt64(), body.GetProperty("status").GetString() == "duplicate"));
            }
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            var client = _app.CreateClient();
            await start.Task;
            var own = Enumerable.Range(c * EventsPerClient, EventsPerClient).ToList();

            // Half one by one, half in batches of 5.
            for (var i = 0; i < 20; i++)
            {
                await Record(await client.PostEventAsync(EventNumber(own[i])), [own[i]]);
            }

            for (var i = 20; i < 40; i += 5)
            {
                var keys = own.GetRange(i, 5);
                await Record(await client.PostBatchAsync(keys.Select(EventNumber)), keys);
            }

            // Retries: our own first batch again, and a neighbour's events, which may or may not be stored yet.
            var retry = own.GetRange(20, 5);
            await Record(await client.PostBatchAsync(retry.Select(EventNumber)), retry);
            var neighbour = ((c + 1) % Clients) * EventsPerClient;
            for (var k = neighbour; k < neighbour + 3; k++)
            {
                await Record(await client.PostEventAsync(EventNumber(k)), [k]);
            }

            var mixed = new[] { neighbour + 30, neighbour + 31, neighbour + 30 };
            await Record(await client.PostBatchAsync(mixed.Select(EventNumber)), mixed);

            // Readers run while others still write.
            var read = await client.GetAsync($"/api/events?worker_id=W{(c % 6) + 1}&limit=50");
            if (read.StatusCode != HttpStatusCode.OK)
            {
                failures.Add($"read {(int)read.StatusCode}: {await read.Content.ReadAsStringAsync()}");
            }
        })).ToList();

        start.SetResult();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.Equal(Clients * EventsPerClient, acknowledged.Count);

        // Every acknowledgement of one event names the same id, and exactly one of them is "accepted".
        foreach (var (key, acks) in acknowledged)
        {
            Assert.Single(acks.Select(a => a.Id).Distinct());
            Assert.Equal(1, acks.Count(a => !a.Duplicate));
        }

        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var stored = await db.Events.AsNoTracking().Select(e => new { e.Id, e.Timestamp, e.WorkerId, e.EventType }).ToListAsync();
        Assert.Equal(Clients * EventsPerClient, stored.Count);
        Assert.Equal(acknowledged.Values.Select(a => a.First().Id).Order(), stored.Select(e => e.Id).Order());
        Assert.Equal(stored.Count, stored.Select(e => (e.Timestamp, e.WorkerId, e.EventType)).Distinct().Count());
    }

    [Fact]
    public async Task Acknowledged_event_is_visible_through_a_fresh_connection_when_the_response_arrives()
    {
        var database = _app.GetService<DatabaseSettings>();
        var checks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var client = _app.CreateClient();
            var response = await client.PostEventAsync(EventNumber(i));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var id = (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();

            // A connection of its own, outside the pool: it sees only what was committed.
            await using DbConnection connection = database.Provider == DatabaseProvider.Sqlite
                ? new SqliteConnection(new SqliteConnectionStringBuilder(database.ConnectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString())
                : new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ToString());
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT worker_id FROM events WHERE id = @id";
            var parameter = command.CreateParameter();
            parameter.ParameterName = "id";
            parameter.Value = id;
            command.Parameters.Add(parameter);
            Assert.Equal($"W{(i % 6) + 1}", await command.ExecuteScalarAsync());
        }));

        await Task.WhenAll(checks);
    }
}
