using System.Diagnostics;
using System.Globalization;
using Factory.Core.Alerts;
using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Core.ModelHealth;
using Factory.Core.Registry;
using Factory.Core.Shifts;
using Microsoft.Extensions.Options;

namespace Factory.Bench;

/// <summary>
/// Cost of alert evaluation: 200 rules over 100 workers (50 stations, 50 cameras) while 1,000 events a second are
/// committed (in groups of 100, every 100 ms, as the single writer would hand them over). Passes run as the engine runs
/// them: after commits (touched entities only, at most one every 200 ms) and a full pass every 5 s. The evaluator's own
/// work is timed with its Stopwatch accumulator (the <c>factory_alerts_evaluation_seconds_total</c> counter); process CPU
/// is measured too (it includes generating the events). Storage of transitions is not part of evaluation (it happens
/// after a pass, off the writer) and is left out.
/// </summary>
internal static class AlertsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 60;
        const int workers = 100, stations = 50, rulesCount = 200, rate = 1000;
        var registry = new RegistrySnapshot(
            Enumerable.Range(1, workers).Select(i => new Worker { Id = $"W{i}", Name = $"Worker {i}", Shift = (i % 3) switch { 0 => "morning", 1 => "evening", _ => "night" } }).ToList(),
            Enumerable.Range(1, stations).Select(i => new Workstation { Id = $"S{i}", Name = $"Station {i}", Type = "assembly" }).ToList());
        var rules = Rules(rulesCount, registry);
        var context = new AlertContext(ShiftCalendar.Off, TimeZoneInfo.Utc, registry, rules);
        var evaluator = new AlertEvaluator(Options.Create(new MetricsOptions()), Options.Create(new ModelHealthOptions()));
        evaluator.WarmUp([], 0);

        var random = new Random(20260121);
        var state = new EventType[workers];
        long id = 0, transitions = 0, passes = 0;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var workBefore = evaluator.WorkTime;
        var wall = Stopwatch.StartNew();
        var nextFull = TimeSpan.FromSeconds(5);
        var nextEventPass = TimeSpan.Zero;
        var tick = TimeSpan.FromMilliseconds(100);
        var sent = 0L;
        while (wall.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var now = DateTime.UtcNow;
            var batch = new List<FactoryEvent>(rate / 10);
            for (var i = 0; i < rate / 10; i++)
            {
                var w = random.Next(workers);
                if (random.NextDouble() < 0.02)
                {
                    state[w] = state[w] == EventType.Working ? EventType.Idle : EventType.Working;
                }

                var station = w % stations + 1;
                var product = random.NextDouble() < 0.3;
                batch.Add(new FactoryEvent
                {
                    Id = ++id,
                    Timestamp = now.AddMilliseconds(-random.Next(1000)),
                    ReceivedAt = now,
                    WorkerId = $"W{w + 1}",
                    WorkstationId = $"S{station}",
                    EventType = product ? EventType.ProductCount : state[w] == EventType.Idle ? EventType.Idle : EventType.Working,
                    Confidence = 0.7 + random.NextDouble() * 0.29,
                    CameraId = $"CAM-{station:00}",
                    ModelVersion = "v2",
                });
            }

            evaluator.OnCommitted(batch);
            sent += batch.Count;
            var full = wall.Elapsed >= nextFull;
            if (full || wall.Elapsed >= nextEventPass)
            {
                foreach (var t in evaluator.Evaluate(DateTime.UtcNow, context, full))
                {
                    evaluator.Confirm(t, t.AlertId ?? ++transitions);
                }

                passes++;
                nextEventPass = wall.Elapsed + TimeSpan.FromMilliseconds(200);
                if (full)
                {
                    nextFull += TimeSpan.FromSeconds(5);
                }
            }

            var due = tick * (sent / (rate / 10));
            if (due > wall.Elapsed)
            {
                await Task.Delay(due - wall.Elapsed);
            }
        }

        var elapsed = wall.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var work = evaluator.WorkTime - workBefore;
        var evalShare = work / elapsed * 100;
        var cpuShare = cpu / elapsed * 100;
        var size = evaluator.Size;
        var pass = evalShare < 10;
        var table = BenchReport.Table(
            ("events committed", string.Create(CultureInfo.InvariantCulture, $"{sent:N0} in {elapsed.TotalSeconds:0.0} s ({sent / elapsed.TotalSeconds:N0}/s)")),
            ("rules · workers · stations · cameras", $"{rulesCount} · {workers} · {stations} · {size.Cameras}"),
            ("passes (event-driven + every 5 s full)", passes.ToString(CultureInfo.InvariantCulture)),
            ("alert transitions decided", transitions.ToString(CultureInfo.InvariantCulture)),
            ("evaluation time (Stopwatch accumulator)", string.Create(CultureInfo.InvariantCulture, $"{work.TotalMilliseconds:0} ms = {evalShare:0.00} % of one core")),
            ("process CPU (incl. generating events)", string.Create(CultureInfo.InvariantCulture, $"{cpu.TotalMilliseconds:0} ms = {cpuShare:0.0} % of one core")),
            ("evaluator memory", $"{size.Workers} workers, {size.Stations} stations, {size.Cameras} cameras (60 one-minute buckets each), {size.RuleStates} rule×entity states"),
            ("target: evaluation < 10 % of one core", BenchReport.Verdict(pass)));
        BenchReport.Append("Alert evaluation", $"dotnet run -c Release --project Factory.Bench -- alerts {seconds}",
            ["The evaluator only queues a commit on the writer's thread; the queued events are folded in and the rules checked by the pass.",
             "Memory is bounded by entities × rules: the per-entity figures are fixed-size rings of the trailing hour, nothing grows with history."], table);
        BenchReport.RecordTarget("alert evaluation", $"{rulesCount} rules, {workers} workers, {rate} events/s", "< 10 % of one core",
            string.Create(CultureInfo.InvariantCulture, $"{evalShare:0.00} % (process {cpuShare:0.0} %)"), pass);
        return pass ? 0 : 1;
    }

    /// <summary>Every kind, over every scope it has: the whole factory, each entity, and single entities.</summary>
    private static List<AlertRule> Rules(int count, RegistrySnapshot registry)
    {
        var kinds = Enum.GetValues<AlertRuleKind>();
        var rules = new List<AlertRule>(count);
        for (var i = 0; i < count; i++)
        {
            var kind = kinds[i % kinds.Length];
            var scopes = AlertRuleEditor.ScopesOf(kind);
            var scope = scopes[i / kinds.Length % scopes.Count];
            string? scopeId = (i / kinds.Length / scopes.Count % 2 == 1, scope) switch
            {
                (true, AlertScope.Worker) => registry.Workers[i % registry.Workers.Count].Id,
                (true, AlertScope.Workstation) => registry.Workstations[i % registry.Workstations.Count].Id,
                (true, AlertScope.Camera) => $"CAM-{i % 50 + 1:00}",
                _ => null,
            };
            rules.Add(new AlertRule
            {
                Id = i + 1,
                Name = $"rule {i + 1}",
                Kind = kind,
                Scope = scope,
                ScopeId = scopeId,
                ForMinutes = i % 3 * 5,
                ShiftTimeOnly = i % 2 == 0,
                EscalateAfterMinutes = i % 4 == 0 ? 30 : null,
            });
        }

        return rules;
    }
}
