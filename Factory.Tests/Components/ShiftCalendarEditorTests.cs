using Bunit;
using Factory.Core.Metrics;
using Factory.Core.Shifts;
using Factory.Tests.Infrastructure;
using Factory.Web.Components.Shared;
using Factory.Web.Dashboard;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;

namespace Factory.Tests.Components;

/// <summary>The admin page's shift calendar editor against a real (temporary) database.</summary>
public sealed class ShiftCalendarEditorTests
{
    private static readonly DateTimeOffset Now = DashboardTestContext.Now;

    /// <summary>A bUnit context whose editor uses a store on a fresh database seeded with the default calendar.</summary>
    private static (BunitContext Context, ShiftCalendarStore Store) Editor(FactoryApp app)
    {
        var store = new ShiftCalendarStore(app.Services.GetRequiredService<IServiceScopeFactory>(), Options.Create(new ShiftOptions()), TimeProvider.System);
        var context = new BunitContext();
        context.Services.AddMudServices();
        context.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        context.Services.AddSingleton(Options.Create(new Factory.Core.Time.FactoryOptions()));
        context.Services.AddSingleton<FactoryClock>();
        context.Services.AddSingleton(store);
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        return (context, store);
    }

    [Fact]
    public async Task Editor_lists_the_stored_shifts_and_shows_validation_messages_without_saving()
    {
        await using var app = new FactoryApp(shiftCalendars: true);
        var (context, store) = Editor(app);
        await using var disposeContext = context;
        var editor = context.Render<ShiftCalendarEditor>();
        editor.WaitUntil(() => Assert.Equal(3, editor.FindAll("[data-shift-row]").Count));
        Assert.Equal("morning", editor.Find("[data-shift-row='0'] input").GetAttribute("value"));

        editor.FindAll("[data-shift-row='0'] input")[1].Change("25:00");
        editor.Find("[data-action='save-shifts'] ").Click();

        editor.WaitUntil(() => Assert.Contains("shifts[0].start", editor.Find("[data-shift-errors]").TextContent));
        Assert.Equal(new TimeOnly(6, 0), (await store.GetStoredAsync(Xunit.TestContext.Current.CancellationToken)).Shifts[0].Start);
    }

    [Fact]
    public async Task Editor_saves_an_added_shift_through_the_store()
    {
        await using var app = new FactoryApp(shiftCalendars: true);
        var (context, store) = Editor(app);
        await using var disposeContext = context;
        var editor = context.Render<ShiftCalendarEditor>();
        editor.WaitUntil(() => Assert.Equal(3, editor.FindAll("[data-shift-row]").Count));
        editor.Find("[data-action='remove-shift']").Click();
        editor.Find("[data-action='add-shift']").Click();
        var inputs = editor.FindAll("[data-shift-row='2'] input");
        inputs[0].Change("early");
        editor.FindAll("[data-shift-row='2'] input")[1].Change("06:00");
        editor.FindAll("[data-shift-row='2'] input")[2].Change("14:00");
        editor.Find("[data-action='save-shifts']").Click();

        editor.WaitUntil(() => editor.Find("[data-shift-saved]"));
        var stored = await store.GetStoredAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(["evening", "night", "early"], stored.Shifts.Select(s => s.Name));
    }

    [Fact]
    public void On_break_has_its_own_label_and_colour_class()
    {
        Assert.Equal("On break", DisplayFormat.Status(WorkerStatus.OnBreak));
        Assert.Equal("state-onbreak", DisplayFormat.StatusClass(WorkerStatus.OnBreak));
        Assert.NotEqual(DisplayFormat.StatusClass(WorkerStatus.Absent), DisplayFormat.StatusClass(WorkerStatus.OnBreak));
    }

    [Fact]
    public async Task Live_shift_starts_at_the_calendars_current_occurrence()
    {
        // 15:00 UTC is 16:00 in Berlin: a calendar with a 15:30 shift start puts the live shift's start at 14:30 UTC.
        var calendar = new ShiftCalendar(true, [new("early", new(5, 30), new(15, 30), []), new("late", new(15, 30), new(5, 30), [])]);
        var clock = new FactoryClock(new FakeTimeProvider(Now), Options.Create(new Factory.Core.Time.FactoryOptions { TimeZone = "Europe/Berlin" }),
            new FixedShiftCalendarProvider(calendar));
        Assert.Equal(new DateTime(2026, 1, 21, 13, 0, 0, DateTimeKind.Utc), TimeRange.CurrentShiftStart(clock)); // not refreshed yet: the fixed hours

        await clock.RefreshShiftsAsync(Xunit.TestContext.Current.CancellationToken);

        Assert.Equal("late", clock.CurrentShift?.Shift);
        Assert.Equal(new DateTime(2026, 1, 21, 14, 30, 0, DateTimeKind.Utc), TimeRange.Parse("shift", null, null).Resolve(clock).Start);
    }
}
