using Bunit;
using Factory.Core.Events;
using Factory.Tests.Api;
using Factory.Tests.Infrastructure;
using Factory.Web.Components.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Components;

/// <summary>
/// The event log page with hostile camera ids and model versions: shown as text, never as markup, and a hostile
/// filter from the URL reaches the export link encoded. The registry comes from a real test host.
/// </summary>
public sealed class EventsPageTests : DashboardTestContext
{
    private readonly FactoryApp _app = new();

    public EventsPageTests()
    {
        Context.Services.AddFallbackServiceProvider(_app.Services);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static FactoryEvent From(string camera, int minutesAgo)
    {
        var e = Event(EventType.Working, worker: $"W{minutesAgo % 6 + 1}", minutesAgo: minutesAgo);
        e.CameraId = camera;
        e.ModelVersion = camera;
        return e;
    }

    [Fact]
    public void Hostile_camera_ids_and_model_versions_are_shown_as_text_never_as_markup()
    {
        var texts = HostileTextTests.Stored;
        Log.Events.AddRange(texts.Select((text, i) => From(text, i + 1)));

        var cut = Context.Render<Events>();

        cut.WaitUntil(() => Assert.Equal(texts.Length, cut.FindAll("td[data-label=Camera]").Count));
        Assert.Equal(texts.Order(StringComparer.Ordinal), cut.FindAll("td[data-label=Camera]").Select(td => td.TextContent).Order(StringComparer.Ordinal));
        Assert.Equal(texts.Order(StringComparer.Ordinal), cut.FindAll("td[data-label=Model]").Select(td => td.TextContent).Order(StringComparer.Ordinal));
        Assert.Empty(cut.FindAll("script"));
        Assert.Empty(cut.FindAll("img"));
        Assert.Empty(cut.FindAll("svg[onload], [onerror], [onload]"));
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostile_camera_filter_from_the_url_filters_literally_and_reaches_the_export_link_encoded()
    {
        const string hostile = "\"><script>alert(1)</script>'%_";
        Log.Events.Add(From(hostile, 2));
        Log.Events.Add(From("CAM-01", 3));
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo("/events?camera_id=" + Uri.EscapeDataString(hostile));

        var cut = Context.Render<Events>();

        cut.WaitUntil(() => Assert.Equal(hostile, Assert.Single(cut.FindAll("td[data-label=Camera]")).TextContent));
        var href = cut.Find("[data-export=events]").GetAttribute("href")!;
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(new Uri("http://localhost"), href).Query);
        Assert.Equal(hostile, query["camera_id"].ToString());
        Assert.DoesNotContain("<script", href, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(cut.FindAll("script"));
    }
}
