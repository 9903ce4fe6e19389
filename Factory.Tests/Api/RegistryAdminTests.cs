using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

public sealed class RegistryAdminTests : ApiTest
{
    [Fact]
    public async Task New_worker_is_listed_and_accepted_by_ingestion_at_once()
    {
        var client = _app.CreateClient();
        using var created = await client.PostAsJsonAsync("/api/admin/workers", new { id = "W7", name = "Ana Costa", shift = "evening", department = "packaging" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var workers = await client.GetFromJsonAsync<JsonElement>("/api/workers");
        Assert.Contains(workers.EnumerateArray(), w => w.GetProperty("id").GetString() == "W7" && w.GetProperty("shift").GetString() == "evening");

        using var posted = await client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-1), worker: "W7"));
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
    }

    [Fact]
    public async Task Duplicate_ids_conflict_and_bad_bodies_name_the_field()
    {
        var client = _app.CreateClient();
        using var duplicate = await client.PostAsJsonAsync("/api/admin/workers", new { id = "W1", name = "Someone" });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("Worker 'W1' already exists; change it instead of adding it again. Use PUT /api/admin/workers/W1 to change it.",
            (await duplicate.JsonAsync()).GetProperty("detail").GetString());

        using var bad = await client.PostAsJsonAsync("/api/admin/workstations", new { id = "S 9!", name = "" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("id", out _));
        Assert.True(errors.TryGetProperty("name", out _));
    }

    [Fact]
    public async Task Rename_keeps_the_id_and_delete_refuses_a_worker_with_history()
    {
        var client = _app.CreateClient();
        using var renamed = await client.PutAsJsonAsync("/api/admin/workstations/S1", new { name = "Assembly Line A (north)" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal("Assembly Line A (north)", (await renamed.JsonAsync()).GetProperty("name").GetString());

        (await client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-1), worker: "W2"))).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Conflict, (await client.DeleteAsync("/api/admin/workers/W2")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/admin/workers/W6")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/admin/workers/W6")).StatusCode);

        using var unknown = await client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-2), worker: "W6"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
    }

    [Fact]
    public async Task Registry_edits_need_the_admin_role()
    {
        using var response = await _app.CreateClientAs("camera").PostAsJsonAsync("/api/admin/workers", new { id = "W8", name = "X" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
