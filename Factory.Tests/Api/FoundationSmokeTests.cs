using System.Net;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

public sealed class FoundationSmokeTests : ApiTest
{
    [Fact]
    public async Task Posted_event_is_accepted_and_listed()
    {
        var client = _app.CreateClient();
        var response = await client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-1)));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var page = await (await client.GetAsync("/api/events")).JsonAsync();
        Assert.Equal("W1", page.GetProperty("items")[0].GetProperty("worker_id").GetString());
    }
}
