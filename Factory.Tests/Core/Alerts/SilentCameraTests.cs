using Factory.Core.Alerts;
using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Core.ModelHealth;
using Factory.Core.Registry;
using Factory.Core.Seeding;
using Factory.Core.Shifts;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Factory.Tests.Core.Alerts;

/// <summary>
/// Silent cameras on a full demo day driven by a fake clock: the generator's three shifts with their planned breaks and
/// off-shift nights, the registry's six workers and six station cameras, the default rules, a pass every 30 seconds.
/// </summary>
public sealed class SilentCameraTests
{
    private static readonly DateTime From = new(2026, 1, 20, 20, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = new(2026, 1, 22, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    private static List<FactoryEvent> DemoDay(TimeZoneInfo zone)
    {
        var scenario = DemoScenario.ForPeriod(RegistrySeed.Workers, RegistrySeed.Workstations, 20260121, zone, From, To, ShiftCalendar.Default);
        long id = 0;
        return new DemoDataGenerator(scenario).GenerateByEmission(From, To).Select(g => new FactoryEvent
        {
            Id = ++id,
            Timestamp = g.Timestamp,
            ReceivedAt = g.EmitAt,
            WorkerId = g.Event.WorkerId,
            WorkstationId = g.Event.WorkstationId,
            EventType = g.Event.EventType,
            Confidence = g.Event.Confidence,
            Count = g.Event.Count,
            CameraId = g.Event.CameraId,
            ModelVersion = g.Event.ModelVersion,
            EventId = g.Event.EventId,
            LowConfidence = g.Event.Confidence < 0.7,
        }).ToList();
    }

    /// <summary>Replays the events as they would arrive and runs a pass every <see cref="Step"/>; returns every transition with the clock reading of its pass.</summary>
    private static (List<(AlertTransition Transition, DateTime Pass)> Transitions, List<(DateTime At, string Camera)> ModelHealthSilent) Replay(
        IReadOnlyList<FactoryEvent> events, TimeZoneInfo zone, TimeSpan silentAfter)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(From));
        var evaluator = new AlertEvaluator(Options.Create(new MetricsOptions()), Options.Create(new ModelHealthOptions { CameraSilentAfter = silentAfter }));
        evaluator.WarmUp([], 0);
        var registry = new RegistrySnapshot(RegistrySeed.Workers, RegistrySeed.Workstations);
        var context = new AlertContext(ShiftCalendar.Default, zone, registry, DefaultAlertRules.All);
        var transitions = new List<(AlertTransition, DateTime)>();
        var silent = new List<(DateTime, string)>();
        var next = 0;
        long alertId = 0;
        while (time.GetUtcNow().UtcDateTime < To)
        {
            time.Advance(Step);
            var now = time.GetUtcNow().UtcDateTime;
            var due = new List<FactoryEvent>();
            while (next < events.Count && events[next].ReceivedAt <= now)
            {
                due.Add(events[next++]);
            }

            evaluator.OnCommitted(due);
            foreach (var t in evaluator.Evaluate(now, context, full: true))
            {
                evaluator.Confirm(t, t.AlertId ?? ++alertId);
                transitions.Add((t, now));
            }

            silent.AddRange(evaluator.SilentCameras(now, silentAfter, ShiftCalendar.Default, zone, registry).Select(c => (now, c.Camera)));
        }

        return (transitions, silent);
    }

    [Theory]
    [InlineData("UTC")]
    [InlineData("Europe/Berlin")]
    public void A_full_demo_day_raises_no_silent_camera_alert(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var events = DemoDay(zone);
        Assert.True(events.Count > 3_000, $"the demo day has {events.Count} events");
        Assert.Equal(6, events.Select(e => e.CameraId).Distinct().Count());

        var (transitions, modelHealth) = Replay(events, zone, TimeSpan.FromMinutes(10));

        var silent = transitions.Where(t => t.Transition.Rule.Kind == AlertRuleKind.CameraSilent).ToList();
        Assert.True(silent.Count == 0, "Silent-camera transitions: " + string.Join("; ", silent.Select(s => $"{s.Transition.Change} {s.Transition.EntityId} at {s.Transition.At:HH:mm}")));
        Assert.True(modelHealth.Count == 0, "Model health flagged: " + string.Join("; ", modelHealth.Take(5).Select(s => $"{s.Camera} at {s.At:HH:mm}")));

        // The evaluation itself ran: other rules had something to say over a day (workers idle, breaks excluded or not).
        Assert.Contains(transitions, t => t.Transition.Change == AlertChange.Opened);
    }

    [Fact]
    public void Cutting_a_camera_mid_shift_raises_exactly_one_alert_at_the_configured_delay_that_lasts_through_the_break()
    {
        var zone = TimeZoneInfo.Utc;
        var silentAfter = TimeSpan.FromMinutes(7);
        // Dead from 12:00 (before the 13:00–13:45 lunch of the morning shift) until the shift change at 14:00, when it is fixed.
        var cut = new DateTime(2026, 1, 21, 12, 0, 0, DateTimeKind.Utc);
        var shiftEnd = new DateTime(2026, 1, 21, 14, 0, 0, DateTimeKind.Utc);
        var all = DemoDay(zone);
        const string camera = "CAM-03";
        const string station = "S3";

        // Preconditions of the scenario: nobody else works at the cut camera's station later in that shift (no other camera
        // loses a worker from view), and its own worker stays there (the alert would rightly clear if another camera saw them).
        Assert.DoesNotContain(all, e => e.WorkstationId == station && e.WorkerId != "W3" && e.Timestamp >= cut && e.Timestamp < shiftEnd);
        Assert.All(all.Where(e => e.WorkerId == "W3" && e.Timestamp >= cut && e.Timestamp < shiftEnd), e => Assert.Equal(station, e.WorkstationId));
        var events = all.Where(e => !(e.CameraId == camera && e.Timestamp >= cut && e.Timestamp < shiftEnd)).ToList();
        var lastSeen = events.Where(e => e.CameraId == camera && e.Timestamp < cut).Max(e => e.Timestamp);

        var (transitions, _) = Replay(events, zone, silentAfter);

        var silent = transitions.Where(t => t.Transition.Rule.Kind == AlertRuleKind.CameraSilent).ToList();
        var opened = Assert.Single(silent, t => t.Transition.Change == AlertChange.Opened);
        Assert.Equal(camera, opened.Transition.EntityId);
        Assert.Equal(lastSeen + silentAfter, opened.Transition.At);
        Assert.InRange(opened.Pass - opened.Transition.At, TimeSpan.Zero, Step);

        // It stays open through the planned break and resolves when the shift ends, never opening again.
        var resolved = Assert.Single(silent, t => t.Transition.Change == AlertChange.Resolved);
        Assert.InRange(resolved.Pass, shiftEnd, shiftEnd + Step);
        Assert.Equal(opened.Transition.At, silent.Single(t => t.Transition.Change == AlertChange.Resolved).Transition.StartedAt);

        // Not acknowledged within the default rule's 30 minutes: escalated once, to critical.
        var escalated = Assert.Single(silent, t => t.Transition.Change == AlertChange.Escalated);
        Assert.Equal(AlertSeverity.Critical, escalated.Transition.Severity);
        Assert.Equal(3, silent.Count);
    }

    [Fact]
    public void A_camera_stopping_a_few_minutes_before_its_shift_ends_raises_nothing()
    {
        var zone = TimeZoneInfo.Utc;
        var cut = new DateTime(2026, 1, 21, 13, 55, 0, DateTimeKind.Utc);
        var events = DemoDay(zone).Where(e => !(e.CameraId == "CAM-01" && e.Timestamp >= cut)).ToList();

        var (transitions, modelHealth) = Replay(events, zone, TimeSpan.FromMinutes(10));

        Assert.DoesNotContain(transitions, t => t.Transition.Rule.Kind == AlertRuleKind.CameraSilent);
        Assert.Empty(modelHealth);
    }

    [Fact]
    public void A_camera_named_by_its_workstation_is_expected_while_another_camera_still_sees_the_station()
    {
        var zone = TimeZoneInfo.Utc;
        var stations = RegistrySeed.Workstations.Select(s => new Workstation
        {
            Id = s.Id,
            Name = s.Name,
            Location = s.Location,
            Type = s.Type,
            CreatedAt = s.CreatedAt,
            Cameras = s.Id == "S1" ? ["CAM-01", "CAM-11"] : [],
        }).ToList();
        var registry = new RegistrySnapshot(RegistrySeed.Workers, stations);
        var evaluator = new AlertEvaluator(Options.Create(new MetricsOptions()), Options.Create(new ModelHealthOptions()));
        evaluator.WarmUp([], 0);
        var start = new DateTime(2026, 1, 21, 9, 0, 0, DateTimeKind.Utc);
        long id = 0;
        FactoryEvent Seen(string camera, DateTime at) => new()
        {
            Id = ++id,
            Timestamp = at,
            ReceivedAt = at,
            WorkerId = "W1",
            WorkstationId = "S1",
            EventType = EventType.Working,
            Confidence = 0.9,
            CameraId = camera,
        };

        // Both cameras see W1 at S1; then only CAM-01 keeps reporting. CAM-11 is named by S1, so it is expected while
        // S1's worker is on shift even though W1's last sighting is by the other camera.
        evaluator.OnCommitted([Seen("CAM-01", start), Seen("CAM-11", start.AddSeconds(1))]);
        evaluator.OnCommitted(Enumerable.Range(1, 12).Select(m => Seen("CAM-01", start.AddMinutes(m))).ToList());
        var silent = evaluator.SilentCameras(start.AddMinutes(12), TimeSpan.FromMinutes(10), ShiftCalendar.Default, zone, registry);

        Assert.Equal(["CAM-11"], silent.Select(s => s.Camera));
    }
}
