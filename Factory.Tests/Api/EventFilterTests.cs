using Factory.Core.Events;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>
/// The event log's filter is one rule: the database query (<see cref="EventFilter.Apply"/>, used by the API, the
/// export and the Events page) and the in-memory test (<see cref="EventFilter.Matches"/>, used for live updates)
/// select the same events.
/// </summary>
public sealed class EventFilterTests : ApiTest
{
    private static readonly string[] Workers = ["W1", "W2", "W3"];
    private static readonly string[] Stations = ["S1", "S2"];
    private static readonly string[] Types = ["working", "idle", "absent", "product_count"];
    private static readonly string?[] Cameras = ["CAM-01", "CAM-02", null];

    [Fact]
    public async Task The_query_and_the_in_memory_match_select_the_same_events_for_random_filters()
    {
        var random = new Random(20261201);
        var now = FactoryApp.Start;
        var events = Enumerable.Range(0, 300).Select(i => FactoryHttp.Event(
            now.AddSeconds(-random.Next(1, 4 * 3600)).AddMilliseconds(i),
            worker: Workers[random.Next(Workers.Length)],
            station: Stations[random.Next(Stations.Length)],
            type: Types[random.Next(Types.Length)],
            camera: Cameras[random.Next(Cameras.Length)])).ToList();
        (await _client.PostBatchAsync(events)).EnsureSuccessStatusCode();

        var log = _app.GetService<IEventLog>();
        var all = await log.StreamAsync(new EventFilter(), TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(300, all.Count);

        for (var round = 0; round < 60; round++)
        {
            var start = random.Next(3) == 0 ? null : (DateTime?)now.UtcDateTime.AddSeconds(-random.Next(0, 4 * 3600));
            var filter = new EventFilter(
                Pick(random, Workers),
                Pick(random, Stations),
                Pick(random, ["CAM-01", "CAM-02"]),
                random.Next(3) == 0 && EventTypes.TryParse(Types[random.Next(Types.Length)], out var type) ? type : null,
                start,
                start is { } s && random.Next(2) == 0 ? s.AddMinutes(random.Next(1, 120)) : null,
                random.Next(3) == 0 ? TimeSpan.FromMinutes(random.Next(0, 180)) : null);

            var queried = await log.StreamAsync(filter, TestContext.Current.CancellationToken).Select(e => e.Id).ToListAsync(TestContext.Current.CancellationToken);
            var matched = all.Where(filter.Matches).Select(e => e.Id).ToList();

            Assert.True(matched.SequenceEqual(queried), $"{filter}: query {queried.Count} events, match {matched.Count}");
        }
    }

    private static string? Pick(Random random, string[] values) => random.Next(3) == 0 ? values[random.Next(values.Length)] : null;
}
