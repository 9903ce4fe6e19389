using System.Net;
using Factory.Tests.Infrastructure;
using Factory.Web.Security;

namespace Factory.Tests.Api;

/// <summary>
/// <c>event_id</c> is unique per camera: the same camera sending an id again is a duplicate answered with the stored
/// id, while another camera's event with the same id is a new event, so one camera key cannot pre-empt another's ids.
/// </summary>
public sealed class EventIdPerCameraTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = FactoryApp.Start;

    private readonly FactoryApp _app = new(new Dictionary<string, string?>
    {
        ["Auth:Keys:3:Name"] = "line-1",
        ["Auth:Keys:3:Role"] = "camera",
        ["Auth:Keys:3:Hash"] = ApiKeyEntry.HashKey("line-1-key-4c8e2a9d7f1b3e65"),
        ["Auth:Keys:3:Cameras:0"] = "CAM-01",
        ["Auth:Keys:4:Name"] = "line-2",
        ["Auth:Keys:4:Role"] = "camera",
        ["Auth:Keys:4:Hash"] = ApiKeyEntry.HashKey("line-2-key-8b1f5d3a6e9c2047"),
        ["Auth:Keys:4:Cameras:0"] = "CAM-02",
    });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private HttpClient Camera(string key)
    {
        var client = _app.CreateClientAs(null);
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static async Task<(HttpStatusCode Status, long Id)> PostAsync(HttpClient client, object e)
    {
        using var response = await client.PostEventAsync(e);
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, body.ToString());
        return (response.StatusCode, body.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task One_camera_key_cannot_pre_empt_another_cameras_event_ids()
    {
        var line1 = Camera("line-1-key-4c8e2a9d7f1b3e65");
        var line2 = Camera("line-2-key-8b1f5d3a6e9c2047");

        // Line 1 sends, for its own camera, the id line 2's camera will use next.
        var squatted = await PostAsync(line1, FactoryHttp.Event(Now.AddMinutes(-5), worker: "W1", camera: "CAM-01", eventId: "cam02-000123"));
        var genuine = await PostAsync(line2, FactoryHttp.Event(Now.AddMinutes(-4), worker: "W2", camera: "CAM-02", eventId: "cam02-000123"));

        Assert.Equal(HttpStatusCode.Created, squatted.Status);
        Assert.Equal(HttpStatusCode.Created, genuine.Status);
        Assert.NotEqual(squatted.Id, genuine.Id);
        var stored = await (await _app.CreateClient().GetAsync($"/api/events/{genuine.Id}")).JsonAsync();
        Assert.Equal("W2", stored.GetProperty("worker_id").GetString());
        Assert.Equal("CAM-02", stored.GetProperty("camera_id").GetString());
    }

    [Fact]
    public async Task The_same_camera_sending_an_event_id_again_is_a_duplicate_answered_with_the_stored_id()
    {
        var camera = _app.CreateClientAs("camera");
        var first = await PostAsync(camera, FactoryHttp.Event(Now.AddMinutes(-5), worker: "W1", camera: "CAM-03", eventId: "cam03-1"));
        var again = await PostAsync(camera, FactoryHttp.Event(Now.AddMinutes(-3), worker: "W3", camera: "CAM-03", eventId: "cam03-1"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.Status, again.Status));
        Assert.Equal(first.Id, again.Id);
    }

    [Fact]
    public async Task Events_without_a_camera_share_one_namespace_of_event_ids_apart_from_every_cameras()
    {
        var camera = _app.CreateClientAs("camera");
        var first = await PostAsync(camera, FactoryHttp.Event(Now.AddMinutes(-6), worker: "W1", camera: null, eventId: "plain-1"));
        var again = await PostAsync(camera, FactoryHttp.Event(Now.AddMinutes(-5), worker: "W2", camera: null, eventId: "plain-1"));
        var withCamera = await PostAsync(camera, FactoryHttp.Event(Now.AddMinutes(-4), worker: "W3", camera: "CAM-04", eventId: "plain-1"));

        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(first.Id, again.Id);
        Assert.Equal(HttpStatusCode.Created, withCamera.Status);
        Assert.NotEqual(first.Id, withCamera.Id);
    }

    [Fact]
    public async Task A_batch_stores_two_cameras_events_with_one_event_id_and_folds_one_cameras_repeat()
    {
        using var response = await _app.CreateClientAs("camera").PostBatchAsync(
        [
            FactoryHttp.Event(Now.AddMinutes(-9), worker: "W1", camera: "CAM-05", eventId: "shared-7"),
            FactoryHttp.Event(Now.AddMinutes(-8), worker: "W2", camera: "CAM-06", eventId: "shared-7"),
            FactoryHttp.Event(Now.AddMinutes(-7), worker: "W3", camera: "CAM-05", eventId: "shared-7"),
        ]);
        var body = await response.JsonAsync();

        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        Assert.Equal(1, body.GetProperty("duplicates").GetInt32());
        var ids = body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids[0], ids[2]);
        Assert.NotEqual(ids[0], ids[1]);
    }
}
