using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Core.Registry;
using Factory.Core.Seeding;
using Factory.Core.Shifts;

namespace Factory.Tests.Core.Seeding;

public sealed class DemoShiftCalendarTests
{
    private static readonly DateTime From = new(2026, 1, 19, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = new(2026, 1, 21, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("morning")]
    [InlineData("Evening")]
    [InlineData("night")]
    public void The_default_calendar_gives_the_same_patterns_as_before(string shift) =>
        Assert.Equal(ShiftPattern.ForShift(shift) with { Name = "" }, ShiftPattern.ForShift(shift, ShiftCalendar.Default) with { Name = "" });

    [Fact]
    public void Demo_shifts_and_breaks_follow_the_calendar_shift_of_each_worker()
    {
        var calendar = new ShiftCalendar(true,
        [
            new("morning", new(7, 0), new(15, 30), [new("tea", new(9, 0), new(9, 10)), new("lunch", new(12, 0), new(12, 30))]),
            new("evening", new(15, 30), new(23, 0), []),
        ]);
        var scenario = DemoScenario.ForPeriod(RegistrySeed.Workers, RegistrySeed.Workstations, 7, TimeZoneInfo.Utc, From, To, calendar);
        var generator = new DemoDataGenerator(scenario);
        var day = new DateOnly(2026, 1, 20);

        var morning = generator.GetShiftWindow(scenario.Workers.Single(w => w.Id == "W1"), day);
        Assert.Equal(new ShiftWindow(Utc(7, 0), Utc(9, 0), Utc(9, 10), Utc(15, 30)), morning);

        var evening = generator.GetShiftWindow(scenario.Workers.Single(w => w.Id == "W4"), day);
        Assert.Equal((Utc(15, 30), Utc(23, 0)), (evening.Start, evening.End));
        Assert.Equal(evening.BreakStart, evening.BreakEnd);

        // W6 works "night", which this calendar does not have: the fixed night pattern.
        Assert.Equal(ShiftPattern.Night, scenario.Workers.Single(w => w.Id == "W6").Shift);
    }

    [Fact]
    public void Demo_lunches_fall_in_the_planned_breaks_so_they_count_as_break_not_absent()
    {
        var scenario = DemoScenario.ForPeriod(RegistrySeed.Workers, RegistrySeed.Workstations, 7, TimeZoneInfo.Utc, From, To, ShiftCalendar.Default);
        var store = new MetricsStore(new MetricRules(new MetricsOptions()), useRollups: true);
        long id = 1;
        foreach (var e in new DemoDataGenerator(scenario).Generate(From, To).Select(g => g.Event))
        {
            store.Add(id++, e.Timestamp.Ticks, e.Timestamp.Ticks, e.WorkerId, e.WorkstationId, e.EventType, e.Confidence, e.Count, e.ModelVersion);
        }

        store.FlushRollups();
        var registry = new RegistrySnapshot(RegistrySeed.Workers, RegistrySeed.Workstations);
        var window = new MetricsWindow(new DateTime(2026, 1, 20, 0, 0, 0, DateTimeKind.Utc), To, To);
        var workers = MetricsCalculator.Workers(store, registry, window, null, new ShiftSchedule(ShiftCalendar.Default, TimeZoneInfo.Utc));
        var plain = MetricsCalculator.Workers(store, registry, window, null);

        foreach (var (w, p) in workers.Zip(plain))
        {
            var planned = w.WorkerId is "W1" or "W2" or "W3" ? 0.75 : 0.5;
            Assert.True(w.BreakHours > planned - 0.1 && w.BreakHours <= planned, $"{w.WorkerId}: {w.BreakHours} h of break");
            Assert.True(w.AbsentHours < p.AbsentHours, $"{w.WorkerId}: {w.AbsentHours} vs {p.AbsentHours}");
        }
    }

    private static DateTime Utc(int hour, int minute) => new(2026, 1, 20, hour, minute, 0, DateTimeKind.Utc);
}
