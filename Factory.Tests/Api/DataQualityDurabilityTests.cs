using System.Net;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>Duplicate and reject counts outlive the process (flushed at shutdown) and follow the key's camera binding.</summary>
public sealed class DataQualityDurabilityTests
{
    private static readonly DateTimeOffset Now = FactoryApp.Start;

    [Fact]
    public async Task Counts_survive_a_restart_because_shutdown_flushes_them()
    {
        var database = SharedDatabase.Create();
        try
        {
            await using (var first = new FactoryApp(database.Settings))
            {
                var client = first.CreateClient();
                var e = FactoryHttp.Event(Now.AddMinutes(-1), camera: "CAM-05");
                await client.PostEventAsync(e);
                Assert.Equal(HttpStatusCode.OK, (await client.PostEventAsync(e)).StatusCode);
                await client.PostEventAsync(FactoryHttp.Event(Now.AddMinutes(-1), station: "S99", camera: "CAM-05"));
            }

            await using var second = new FactoryApp(database.Settings);
            second.Time.Advance(TimeSpan.FromMinutes(1));
            using var viewer = second.CreateClientAs("viewer");
            var report = await (await viewer.GetAsync("/api/data-quality", TestContext.Current.CancellationToken)).JsonAsync();

            var camera = report.GetProperty("cameras").EnumerateArray().Single(c => c.GetProperty("camera_id").GetString() == "CAM-05");
            Assert.Equal(1, camera.GetProperty("events").GetInt64());
            Assert.Equal(1, camera.GetProperty("duplicates").GetInt64());
            Assert.Equal(1, camera.GetProperty("rejected_by_reason").GetProperty("unknown_workstation").GetInt64());
        }
        finally
        {
            database.Drop();
        }
    }

    [Fact]
    public async Task Rejects_of_a_key_bound_to_one_camera_count_under_that_camera_when_the_id_is_missing_or_foreign()
    {
        await using var app = new FactoryApp(new Dictionary<string, string?>
        {
            ["Auth:Keys:3:Name"] = "line-1",
            ["Auth:Keys:3:Role"] = "camera",
            ["Auth:Keys:3:Hash"] = Factory.Web.Security.ApiKeyEntry.HashKey("line-1-key"),
            ["Auth:Keys:3:Cameras:0"] = "CAM-01",
        });
        using var client = app.CreateClientAs(null);
        client.DefaultRequestHeaders.Add("X-Api-Key", "line-1-key");

        var response = await client.PostBatchAsync(
        [
            FactoryHttp.Event(Now.AddMinutes(-1), camera: "CAM-02"),                 // camera_mismatch: not counted under CAM-02
            FactoryHttp.Event(Now.AddMinutes(-2), camera: null),                     // camera_mismatch, no camera id
            FactoryHttp.Event(Now.AddMinutes(-3), camera: "CAM-01", worker: "W42"),  // unknown_worker
        ]);
        Assert.Equal(3, (await response.JsonAsync()).GetProperty("rejected").GetArrayLength());
        await app.GetService<Factory.Core.DataQuality.IngestionQualityCounter>().FlushAsync(TestContext.Current.CancellationToken);
        app.Time.Advance(TimeSpan.FromMinutes(1));

        using var viewer = app.CreateClientAs("viewer");
        var report = await (await viewer.GetAsync("/api/data-quality", TestContext.Current.CancellationToken)).JsonAsync();

        var cameras = report.GetProperty("cameras").EnumerateArray().ToDictionary(c => c.GetProperty("camera_id").GetString()!, c => c.GetProperty("rejected_by_reason"));
        Assert.Equal(["(invalid)", "CAM-01"], cameras.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, cameras["(invalid)"].GetProperty("camera_mismatch").GetInt64());
        Assert.Equal(1, cameras["CAM-01"].GetProperty("camera_mismatch").GetInt64());
        Assert.Equal(1, cameras["CAM-01"].GetProperty("unknown_worker").GetInt64());
    }
}
