using System.Net.Http.Json;
using System.Text.Json;
using Bunit;
using Factory.Core.Registry;
using Factory.Core.Shifts;
using Factory.Tests.Infrastructure;
using Factory.Web.Components.Shared;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Factory.Tests.Components;

/// <summary>Registry editing on the admin page, against a real database through the same editor as the admin API.</summary>
public sealed class RegistryPanelTests : IAsyncLifetime
{
    private readonly FactoryApp _app = new();
    private readonly BunitContext _context = new();

    public ValueTask InitializeAsync()
    {
        _context.Services.AddMudServices();
        _context.Services.AddSingleton(_app.GetService<RegistryEditor>());
        _context.Services.AddSingleton(_app.GetService<RegistryCache>());
        _context.Services.AddSingleton(_app.GetService<IShiftCalendarProvider>());
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_worker_added_on_the_page_is_served_by_the_api()
    {
        var panel = _context.Render<RegistryPanel>();

        panel.Find("input[data-field=worker-id]").Change("W7");
        panel.Find("input[data-field=worker-name]").Change("Ines Navarro");
        panel.Find("input[data-field=worker-department]").Change("packaging");
        panel.Find("[data-action=save-worker]").Click();

        panel.WaitUntil(() => Assert.Contains("Worker W7 saved.", panel.Find("[data-registry-message]").TextContent, StringComparison.Ordinal));
        Assert.NotNull(panel.Find("[data-registry-row=W7]"));
        var workers = await _app.CreateClient().GetFromJsonAsync<JsonElement>("/api/workers", FactoryApp.Json, Xunit.TestContext.Current.CancellationToken);
        var w7 = workers.EnumerateArray().Single(w => w.GetProperty("id").GetString() == "W7");
        Assert.Equal(("Ines Navarro", "morning", "packaging"), (w7.GetProperty("name").GetString(), w7.GetProperty("shift").GetString(), w7.GetProperty("department").GetString()));
    }

    [Fact]
    public async Task Renaming_a_worker_keeps_the_id_and_changes_the_name_everywhere()
    {
        var panel = _context.Render<RegistryPanel>();

        panel.Find("[data-registry-row=W2] [data-action=edit-worker]").Click();
        Assert.True(panel.Find("input[data-field=worker-id]").HasAttribute("disabled"));
        panel.Find("input[data-field=worker-name]").Change("Renamed Person");
        panel.Find("[data-action=save-worker]").Click();

        panel.WaitUntil(() => Assert.Contains("Renamed Person", panel.Find("[data-registry-row=W2]").TextContent, StringComparison.Ordinal));
        var snapshot = await _app.GetService<RegistryCache>().GetAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal("Renamed Person", snapshot.WorkersById["W2"].Name);
    }

    [Fact]
    public async Task Invalid_input_and_deleting_a_worker_with_events_are_refused_with_the_reason()
    {
        var client = _app.CreateClient();
        (await client.PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-5), worker: "W3"))).EnsureSuccessStatusCode();
        var panel = _context.Render<RegistryPanel>();

        panel.Find("input[data-field=worker-id]").Change("bad id!");
        panel.Find("[data-action=save-worker]").Click();
        panel.WaitUntil(() => Assert.Contains("id:", panel.Find("[data-registry-message]").TextContent, StringComparison.Ordinal));
        Assert.Empty(panel.FindAll("[data-registry-row='bad id!']"));

        panel.Find("[data-registry-row=W3] [data-action=edit-worker]").Click();
        panel.Find("[data-action=delete-worker]").Click();
        panel.WaitUntil(() => Assert.Contains("has stored events", panel.Find("[data-registry-message]").TextContent, StringComparison.Ordinal));
        var snapshot = await _app.GetService<RegistryCache>().GetAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.True(snapshot.WorkersById.ContainsKey("W3"));
    }
}
