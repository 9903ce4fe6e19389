using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Metrics;
using Factory.Core.ModelHealth;
using Factory.Core.Registry;
using Factory.Core.Shifts;
using Microsoft.Extensions.Options;

namespace Factory.Core.Alerts;

/// <summary>What one evaluation pass needs besides the live figures: the calendar, the registry and the rules.</summary>
public sealed record AlertContext(ShiftCalendar Calendar, TimeZoneInfo Zone, RegistrySnapshot Registry, IReadOnlyList<AlertRule> Rules);

/// <summary>A change of an alert decided by a pass, to be stored (and notified) before it takes effect.</summary>
public sealed record AlertTransition(
    AlertChange Change,
    AlertRule Rule,
    AlertScope Scope,
    string EntityId,
    AlertSeverity Severity,
    double Value,
    double Threshold,
    string Message,
    DateTime StartedAt,
    DateTime At,
    long? AlertId)
{
    internal RuleEntityState? State { get; init; }
}

/// <summary>Per rule and entity: since when the condition holds, and the alert it opened.</summary>
internal sealed class RuleEntityState
{
    public long? ConditionSince { get; set; }
    public long? AlertId { get; set; }
    public long OpenedAt { get; set; }
    public AlertSeverity Severity { get; set; }
    public bool Acknowledged { get; set; }
    public bool Escalated { get; set; }
    public long? ResolvedAt { get; set; }

    /// <summary>Kind-specific memory of the open alert (camera silent: the camera's last report when it opened).</summary>
    public long Marker { get; set; }
}

/// <summary>
/// The alert rules' incremental evaluator. As a commit observer it only queues the committed batch (the writer never
/// waits); the queued events are folded into small per-entity figures (workers, workstations, cameras, the factory:
/// current state, last sighting, and one-minute sums over the trailing hour) when a pass runs. A pass checks each
/// enabled rule against the figures of the entities it covers — only the entities touched since the last pass, or all
/// of them on a timer pass — so its memory is bounded by entities × rules, never by history.
/// </summary>
public sealed class AlertEvaluator : ICommitObserver
{
    private const double MinOccupiedSeconds = 600;
    private const double MinWorkingSeconds = 900;
    private const int MinEvents = 20;
    private const int MaxCameras = 10_000;

    /// <summary>
    /// Committed events waiting for a pass, at most. Passes drain the queue every few seconds; should they stop (start-up
    /// failing for long), further commits are dropped and the figures are rebuilt from the database instead.
    /// </summary>
    internal const int MaxQueuedEvents = 200_000;
    private static readonly long Window = TimeSpan.FromMinutes(MinuteRing.Minutes).Ticks;

    private readonly ConcurrentQueue<IReadOnlyList<FactoryEvent>> _inbox = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, WorkerLive> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StationLive> _stations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CameraLive> _cameras = new(StringComparer.Ordinal);
    private MinuteRing _factoryConfidence = new();
    private MinuteRing _factoryLate = new();
    private MinuteRing _factoryUnits = new();
    private readonly Dictionary<(int Rule, AlertScope Scope, string Entity), RuleEntityState> _states = new();
    private readonly HashSet<string> _dirtyWorkers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirtyStations = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirtyCameras = new(StringComparer.Ordinal);
    private readonly long _stateTimeout;
    private readonly long _offShiftGap;
    private readonly long _lateAfter;
    private readonly double _minConfidence;
    private readonly TimeSpan _cameraSilentAfter;
    private long _skipUpToId = long.MaxValue;
    private long _workTicks;
    private long _passes;
    private int _signalled;
    private long _queued;
    private int _overflowed;

    public AlertEvaluator(IOptions<MetricsOptions> metrics, IOptions<ModelHealthOptions> health)
    {
        _stateTimeout = metrics.Value.StateTimeout.Ticks;
        _offShiftGap = metrics.Value.OffShiftGap.Ticks;
        _lateAfter = metrics.Value.LateAfter.Ticks;
        _minConfidence = metrics.Value.MinConfidence;
        _cameraSilentAfter = health.Value.CameraSilentAfter;
    }

    /// <summary>Raised (on the writer's thread, so handlers must only signal) when committed events wait for a pass.</summary>
    public event Action? EventsQueued;

    /// <summary>Processor time spent folding events in and evaluating rules, in total.</summary>
    public TimeSpan WorkTime => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _workTicks));

    /// <summary>Passes run so far.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>True when commits were dropped because no pass drained the queue: the figures must be rebuilt (<see cref="Reset"/>, then a warm-up read).</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) == 1;

    /// <summary>True once the start-up read of recent events is folded in (before that nothing is known and nothing is evaluated).</summary>
    public bool IsWarm => Interlocked.Read(ref _skipUpToId) != long.MaxValue;

    /// <summary>Live entities and rule states held, the evaluator's whole memory (for tests and the benchmark).</summary>
    public (int Workers, int Stations, int Cameras, int RuleStates) Size
    {
        get
        {
            lock (_gate)
            {
                return (_workers.Count, _stations.Count, _cameras.Count, _states.Count);
            }
        }
    }

    public void OnCommitted(IReadOnlyList<FactoryEvent> stored)
    {
        if (stored.Count == 0 || Volatile.Read(ref _overflowed) == 1)
        {
            return;
        }

        if (Interlocked.Add(ref _queued, stored.Count) > MaxQueuedEvents)
        {
            Volatile.Write(ref _overflowed, 1);
            return;
        }

        _inbox.Enqueue(stored);
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            EventsQueued?.Invoke();
        }
    }

    /// <summary>
    /// Folds in the start-up read (events with id up to <paramref name="upToId"/>, in timestamp order) and marks the
    /// evaluator warm; queued events with an id the read covered are skipped later, so nothing counts twice.
    /// </summary>
    public void WarmUp(IEnumerable<FactoryEvent> recent, long upToId)
    {
        var started = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            foreach (var e in recent)
            {
                Apply(e);
            }

            Interlocked.Exchange(ref _skipUpToId, upToId);
        }

        Interlocked.Add(ref _workTicks, Stopwatch.GetTimestamp() - started);
    }

    /// <summary>Forgets every live figure (after events were deleted in bulk, or commits were dropped); rule states and open alerts stay.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _inbox.Clear();
            Interlocked.Exchange(ref _queued, 0);
            Volatile.Write(ref _overflowed, 0);

            _workers.Clear();
            _stations.Clear();
            _cameras.Clear();
            _factoryConfidence = new();
            _factoryLate = new();
            _factoryUnits = new();

            Interlocked.Exchange(ref _skipUpToId, long.MaxValue);
        }
    }

    /// <summary>Folds queued events into the live figures without evaluating (an instance that does not evaluate still keeps them current).</summary>
    public void Fold()
    {
        var started = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (IsWarm)
            {
                Drain();
            }
        }

        Interlocked.Add(ref _workTicks, Stopwatch.GetTimestamp() - started);
    }

    /// <summary>
    /// Forgets what the rules remembered — open alerts, conditions holding, quiet periods — before the unresolved alerts
    /// are read back with <see cref="Restore"/> (when this instance takes over evaluation, another may have changed them).
    /// </summary>
    public void ForgetRuleStates()
    {
        lock (_gate)
        {
            _states.Clear();
        }
    }

    /// <summary>Puts an open alert found in the database back under its rule and entity (at start-up).</summary>
    public void Restore(AlertRecord alert)
    {
        lock (_gate)
        {
            var state = StateOf(alert.RuleId, alert.Scope, alert.EntityId);
            state.AlertId = alert.Id;
            state.OpenedAt = alert.OpenedAt.Ticks;
            state.Severity = alert.Severity;
            state.Acknowledged = alert.State == AlertState.Acknowledged;
            state.Escalated = alert.EscalatedAt is not null;
            state.ConditionSince = alert.StartedAt.Ticks;
            state.Marker = alert.Kind == AlertRuleKind.CameraSilent ? alert.StartedAt.Ticks : 0;
        }
    }

    /// <summary>Stops escalation of an alert someone acknowledged.</summary>
    public void MarkAcknowledged(long alertId)
    {
        lock (_gate)
        {
            foreach (var state in _states.Values)
            {
                if (state.AlertId == alertId)
                {
                    state.Acknowledged = true;
                }
            }
        }
    }

    /// <summary>Makes a stored transition take effect; <paramref name="alertId"/> is the id of the alert row it opened.</summary>
    public void Confirm(AlertTransition transition, long alertId)
    {
        lock (_gate)
        {
            var state = transition.State;
            if (state is null)
            {
                return;
            }

            switch (transition.Change)
            {
                case AlertChange.Opened:
                    state.AlertId = alertId;
                    state.OpenedAt = transition.At.Ticks;
                    state.Severity = transition.Severity;
                    state.Acknowledged = false;
                    state.Escalated = false;
                    state.ResolvedAt = null;
                    state.Marker = transition.Rule.Kind == AlertRuleKind.CameraSilent ? transition.StartedAt.Ticks : 0;
                    break;
                case AlertChange.Resolved:
                    state.AlertId = null;
                    state.ResolvedAt = transition.At.Ticks;
                    state.ConditionSince = null;
                    break;
                case AlertChange.Escalated:
                    state.Escalated = true;
                    state.Severity = transition.Severity;
                    break;
            }
        }
    }

    /// <summary>Cameras silent while expected to report at <paramref name="now"/>, with the instant their silence began (model health uses this).</summary>
    public IReadOnlyList<(string Camera, DateTime Since)> SilentCameras(DateTime now, TimeSpan after, ShiftCalendar calendar, TimeZoneInfo zone, RegistrySnapshot registry)
    {
        var started = Stopwatch.GetTimestamp();
        var list = new List<(string, DateTime)>();
        lock (_gate)
        {
            if (!IsWarm)
            {
                return list;
            }

            Drain();
            var pass = new Pass(this, now.Ticks, new AlertContext(calendar, zone, registry, []));
            foreach (var camera in _cameras.Values)
            {
                var (expected, since, _) = pass.CameraSilence(camera);
                if (expected && now.Ticks - since >= after.Ticks)
                {
                    list.Add((camera.Id, new DateTime(since, DateTimeKind.Utc)));
                }
            }
        }

        Interlocked.Add(ref _workTicks, Stopwatch.GetTimestamp() - started);
        list.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return list;
    }

    /// <summary>
    /// Folds queued events in and checks the rules: every covered entity when <paramref name="full"/> (timer passes),
    /// otherwise only those touched by events since the last pass. Returns what should change; nothing changes until
    /// <see cref="Confirm"/>.
    /// </summary>
    public IReadOnlyList<AlertTransition> Evaluate(DateTime now, AlertContext context, bool full)
    {
        var started = Stopwatch.GetTimestamp();
        var transitions = new List<AlertTransition>();
        lock (_gate)
        {
            if (!IsWarm)
            {
                return transitions;
            }

            Drain();
            var pass = new Pass(this, now.Ticks, context);
            pass.AccrueAll();
            var rules = new Dictionary<int, AlertRule>(context.Rules.Count);
            foreach (var rule in context.Rules)
            {
                rules[rule.Id] = rule;
                if (rule.Enabled)
                {
                    pass.Run(rule, full, transitions);
                }
            }

            // Alerts of rules deleted or switched off resolve; their states go (removing while enumerating is allowed).
            foreach (var ((ruleId, scope, entity), state) in _states)
            {
                var rule = rules.GetValueOrDefault(ruleId);
                if (rule is { Enabled: true })
                {
                    if (full && state.AlertId is null && state.ConditionSince is null && (state.ResolvedAt is null || now.Ticks - state.ResolvedAt > TimeSpan.FromMinutes(rule.QuietMinutes).Ticks))
                    {
                        _states.Remove((ruleId, scope, entity));
                    }

                    continue;
                }

                if (state.AlertId is { } id)
                {
                    var gone = rule ?? new AlertRule { Id = ruleId, Name = "(deleted rule)" };
                    transitions.Add(new AlertTransition(AlertChange.Resolved, gone, scope, entity, state.Severity, 0, 0,
                        rule is null ? "The rule was deleted." : "The rule was switched off.", new DateTime(state.OpenedAt, DateTimeKind.Utc), now, id)
                    { State = state });
                }
                else
                {
                    _states.Remove((ruleId, scope, entity));
                }
            }

            if (full)
            {
                PruneCameras(now.Ticks);
            }

            _dirtyWorkers.Clear();
            _dirtyStations.Clear();
            _dirtyCameras.Clear();
            Interlocked.Increment(ref _passes);
        }

        Interlocked.Add(ref _workTicks, Stopwatch.GetTimestamp() - started);
        return transitions;
    }

    private RuleEntityState StateOf(int rule, AlertScope scope, string entity)
    {
        if (!_states.TryGetValue((rule, scope, entity), out var state))
        {
            _states[(rule, scope, entity)] = state = new RuleEntityState();
        }

        return state;
    }

    private void Drain()
    {
        Interlocked.Exchange(ref _signalled, 0);
        var skip = Interlocked.Read(ref _skipUpToId);
        while (_inbox.TryDequeue(out var batch))
        {
            Interlocked.Add(ref _queued, -batch.Count);
            foreach (var e in batch)
            {
                if (e.Id > skip)
                {
                    Apply(e);
                }
            }
        }
    }

    private void PruneCameras(long now)
    {
        List<string>? stale = null;
        HashSet<string>? watched = null;
        foreach (var camera in _cameras.Values)
        {
            if (now - camera.LastSeen <= TimeSpan.TicksPerDay)
            {
                continue;
            }

            watched ??= _states.Keys.Where(k => k.Scope == AlertScope.Camera).Select(k => k.Entity).ToHashSet(StringComparer.Ordinal);
            if (!watched.Contains(camera.Id))
            {
                (stale ??= []).Add(camera.Id);
            }
        }

        foreach (var id in stale ?? [])
        {
            _cameras.Remove(id);
        }
    }

    /// <summary>Folds one committed event into the live figures.</summary>
    private void Apply(FactoryEvent e)
    {
        var ts = e.Timestamp.Ticks;
        var worker = Worker(e.WorkerId);
        if (ts >= worker.LastSeen)
        {
            worker.LastSeen = ts;
            worker.LastStation = e.WorkstationId;
        }

        _dirtyWorkers.Add(worker.Id);
        _dirtyStations.Add(e.WorkstationId);
        var late = e.ReceivedAt.Ticks - ts > _lateAfter ? 1 : 0;
        _factoryConfidence.Add(ts, e.Confidence, 1);
        _factoryLate.Add(e.ReceivedAt.Ticks, late, 1);
        if (e.CameraId is { Length: > 0 } cameraId && Camera(cameraId) is { } camera)
        {
            _dirtyCameras.Add(cameraId);
            if (ts > camera.LastSeen)
            {
                camera.LastSeen = ts;
            }

            if (!camera.Stations.TryGetValue(e.WorkstationId, out var at) || at < ts)
            {
                if (!camera.Stations.ContainsKey(e.WorkstationId) && camera.Stations.Count >= CameraLive.MaxStations)
                {
                    camera.Stations.Remove(camera.Stations.MinBy(s => s.Value).Key);
                }

                camera.Stations[e.WorkstationId] = ts;
            }

            camera.Confidence.Add(ts, e.Confidence, 1);
            camera.Late.Add(e.ReceivedAt.Ticks, late, 1);
        }

        // Productivity figures use valid events only, as the metrics do.
        if (e.Confidence < _minConfidence)
        {
            return;
        }

        if (e.EventType == EventType.ProductCount)
        {
            worker.Units.Add(ts, e.Count, 0);
            Station(e.WorkstationId).Units.Add(ts, e.Count, 0);
            _factoryUnits.Add(ts, e.Count, 0);
            return;
        }

        if (ts < worker.StateAt)
        {
            return; // a late state event does not rewrite the live state
        }

        AccrueWorker(worker, ts);
        if (worker.StateStation is { } previous && previous != e.WorkstationId && _stations.TryGetValue(previous, out var left))
        {
            AccrueStation(left, ts);
            left.Present.Remove(worker.Id);
            _dirtyStations.Add(previous);
        }

        var station = Station(e.WorkstationId);
        AccrueStation(station, ts);
        if (e.EventType == EventType.Idle && !(worker.State == EventType.Idle && ts - worker.StateAt <= _stateTimeout))
        {
            worker.IdleSince = ts;
        }

        worker.State = e.EventType;
        worker.StateAt = ts;
        worker.StateStation = e.WorkstationId;
        worker.AccruedUntil = Math.Max(worker.AccruedUntil, ts);
        if (e.EventType is EventType.Working or EventType.Idle)
        {
            station.Present[worker.Id] = (e.EventType, ts + _stateTimeout);
        }
        else
        {
            station.Present.Remove(worker.Id);
        }
    }

    private void AccrueWorker(WorkerLive worker, long until)
    {
        if (worker.State != EventType.Working)
        {
            return;
        }

        var from = Math.Max(Math.Max(worker.AccruedUntil, worker.StateAt), until - Window);
        var to = Math.Min(until, worker.StateAt + _stateTimeout);
        if (to > from)
        {
            worker.Working.AddSpan(from, to, true, false);
            worker.AccruedUntil = to;
        }
    }

    /// <summary>Adds the union of the present workers' time up to <paramref name="until"/>: working when anyone works, occupied when anyone works or idles.</summary>
    private static void AccrueStation(StationLive station, long until)
    {
        var from = Math.Max(station.AccruedUntil, until - Window);
        while (from < until)
        {
            var next = until;
            bool working = false, occupied = false;
            foreach (var (_, (state, expiry)) in station.Present)
            {
                if (expiry <= from)
                {
                    continue;
                }

                occupied = true;
                working |= state == EventType.Working;
                next = Math.Min(next, expiry);
            }

            if (!occupied)
            {
                break;
            }

            station.Time.AddSpan(from, next, working, true);
            from = next;
        }

        station.AccruedUntil = Math.Max(station.AccruedUntil, until);
        List<string>? lapsed = null;
        foreach (var (id, (_, expiry)) in station.Present)
        {
            if (expiry <= until)
            {
                (lapsed ??= []).Add(id);
            }
        }

        foreach (var id in lapsed ?? [])
        {
            station.Present.Remove(id);
        }
    }

    private WorkerLive Worker(string id)
    {
        if (!_workers.TryGetValue(id, out var worker))
        {
            _workers[id] = worker = new WorkerLive(id);
        }

        return worker;
    }

    private StationLive Station(string id)
    {
        if (!_stations.TryGetValue(id, out var station))
        {
            _stations[id] = station = new StationLive(id);
        }

        return station;
    }

    private CameraLive? Camera(string id)
    {
        if (!_cameras.TryGetValue(id, out var camera))
        {
            if (_cameras.Count >= MaxCameras)
            {
                return null;
            }

            _cameras[id] = camera = new CameraLive(id);
        }

        return camera;
    }

    private enum Verdict
    {
        Clear,
        Holds,

        /// <summary>Inside a planned break: nothing opens, nothing resolves, nothing accrues.</summary>
        Paused,

        /// <summary>Not enough data to say.</summary>
        Unknown,
    }

    private readonly record struct Check(Verdict Verdict, double Value, long? Since, string Message);

    /// <summary>One pass: caches of shift answers for the instant, and the rule checks.</summary>
    private sealed class Pass(AlertEvaluator owner, long now, AlertContext context)
    {
        private readonly Dictionary<string, (long Start, long End, (long Start, long End)[] Breaks)?> _occurrenceAt = new(StringComparer.OrdinalIgnoreCase);
        private Dictionary<string, List<WorkerLive>>? _byStation;
        private (bool InShift, bool InBreak)? _plantShift;

        private bool CalendarOn => context.Calendar.Enabled && context.Calendar.Shifts.Count > 0;

        public void AccrueAll()
        {
            foreach (var worker in owner._workers.Values)
            {
                owner.AccrueWorker(worker, now);
            }

            foreach (var station in owner._stations.Values)
            {
                AccrueStation(station, now);
            }
        }

        public void Run(AlertRule rule, bool full, List<AlertTransition> transitions)
        {
            foreach (var (scope, entity) in Entities(rule, full))
            {
                var check = Evaluate(rule, scope, entity, out var state);
                Decide(rule, scope, entity, check, state, transitions);
            }
        }

        private IEnumerable<(AlertScope Scope, string Entity)> Entities(AlertRule rule, bool full)
        {
            var natural = Natural(rule.Kind);
            var aggregate = rule.Scope == AlertScope.Factory && HasAggregate(rule.Kind);
            if (aggregate)
            {
                if (full || owner._dirtyWorkers.Count + owner._dirtyStations.Count + owner._dirtyCameras.Count > 0)
                {
                    yield return (AlertScope.Factory, "");
                }

                yield break;
            }

            var scope = rule.Scope == AlertScope.Factory ? natural : rule.Scope;
            IEnumerable<string> ids = rule.ScopeId is { } one ? [one] : scope switch
            {
                AlertScope.Worker => context.Registry.Workers.Select(w => w.Id),
                AlertScope.Workstation => context.Registry.Workstations.Select(s => s.Id),
                _ => owner._cameras.Keys.ToList(),
            };
            var dirty = scope switch
            {
                AlertScope.Worker => owner._dirtyWorkers,
                AlertScope.Workstation => owner._dirtyStations,
                _ => owner._dirtyCameras,
            };
            foreach (var id in ids)
            {
                if (full || dirty.Contains(id))
                {
                    yield return (scope, id);
                }
            }
        }

        private static AlertScope Natural(AlertRuleKind kind) => kind switch
        {
            AlertRuleKind.WorkerIdleStretch => AlertScope.Worker,
            AlertRuleKind.StationUnstaffed or AlertRuleKind.StationUtilization => AlertScope.Workstation,
            AlertRuleKind.CameraSilent or AlertRuleKind.ModelConfidence or AlertRuleKind.LateEventsShare => AlertScope.Camera,
            _ => AlertScope.Worker,
        };

        public static bool HasAggregate(AlertRuleKind kind) =>
            kind is AlertRuleKind.StationUtilization or AlertRuleKind.UnitsPerHour or AlertRuleKind.ModelConfidence or AlertRuleKind.LateEventsShare;

        private Check Evaluate(AlertRule rule, AlertScope scope, string entity, out RuleEntityState? state)
        {
            owner._states.TryGetValue((rule.Id, scope, entity), out state);
            var threshold = ThresholdOf(rule);
            var check = rule.Kind switch
            {
                AlertRuleKind.StationUtilization => Utilization(scope, entity, threshold),
                AlertRuleKind.WorkerIdleStretch => IdleStretch(entity, threshold),
                AlertRuleKind.StationUnstaffed => Unstaffed(entity, threshold),
                AlertRuleKind.UnitsPerHour => UnitsPerHour(scope, entity, threshold),
                AlertRuleKind.ModelConfidence => Confidence(scope, entity, threshold),
                AlertRuleKind.CameraSilent => Silent(entity, threshold, state),
                _ => LateShare(scope, entity, threshold),
            };

            if (rule.ShiftTimeOnly && check.Verdict == Verdict.Holds)
            {
                var (inShift, inBreak) = scope == AlertScope.Worker ? WorkerShiftNow(entity) : PlantShiftNow();
                check = !inShift ? check with { Verdict = Verdict.Clear } : inBreak ? check with { Verdict = Verdict.Paused } : check;
            }

            return check;
        }

        public double ThresholdOf(AlertRule rule) => rule.Threshold ?? DefaultThreshold(rule.Kind, owner._cameraSilentAfter);

        private void Decide(AlertRule rule, AlertScope scope, string entity, Check check, RuleEntityState? state, List<AlertTransition> transitions)
        {
            var threshold = ThresholdOf(rule);
            switch (check.Verdict)
            {
                case Verdict.Unknown:
                    return;
                case Verdict.Paused:
                    if (state is not null)
                    {
                        state.ConditionSince = null;
                    }

                    Escalate(rule, scope, entity, state, transitions);
                    return;
                case Verdict.Clear:
                    if (state is null)
                    {
                        return;
                    }

                    state.ConditionSince = null;
                    if (state.AlertId is { } id)
                    {
                        transitions.Add(new AlertTransition(AlertChange.Resolved, rule, scope, entity, state.Severity, check.Value, threshold,
                            "The condition cleared.", new DateTime(state.OpenedAt, DateTimeKind.Utc), Utc(now), id)
                        { State = state });
                    }

                    return;
            }

            state ??= owner.StateOf(rule.Id, scope, entity);
            state.ConditionSince ??= Math.Min(check.Since ?? now, now);
            if (state.AlertId is not null)
            {
                Escalate(rule, scope, entity, state, transitions);
                return;
            }

            var due = state.ConditionSince.Value + TimeSpan.FromMinutes(rule.ForMinutes).Ticks;
            if (state.ResolvedAt is { } resolved)
            {
                due = Math.Max(due, resolved + TimeSpan.FromMinutes(rule.QuietMinutes).Ticks);
            }

            if (now >= due)
            {
                transitions.Add(new AlertTransition(AlertChange.Opened, rule, scope, entity, rule.Severity, check.Value, threshold, check.Message,
                    Utc(state.ConditionSince.Value), Utc(due), null)
                { State = state });
            }
        }

        private void Escalate(AlertRule rule, AlertScope scope, string entity, RuleEntityState? state, List<AlertTransition> transitions)
        {
            if (state is { AlertId: { } id, Acknowledged: false, Escalated: false } && rule.EscalateAfterMinutes is { } minutes
                && now >= state.OpenedAt + TimeSpan.FromMinutes(minutes).Ticks)
            {
                var severity = state.Severity == AlertSeverity.Critical ? AlertSeverity.Critical : state.Severity + 1;
                transitions.Add(new AlertTransition(AlertChange.Escalated, rule, scope, entity, severity, 0, ThresholdOf(rule),
                    $"Not acknowledged within {minutes} min: escalated to {AlertNames.Of(severity)}.", Utc(state.OpenedAt), Utc(now), id)
                { State = state });
            }
        }

        private Check Utilization(AlertScope scope, string entity, double threshold)
        {
            double working = 0, occupied = 0;
            string name;
            if (scope == AlertScope.Factory)
            {
                foreach (var station in owner._stations.Values)
                {
                    var (w, o) = station.Time.Sum(now);
                    working += w;
                    occupied += o;
                }

                name = "Factory";
            }
            else
            {
                if (owner._stations.TryGetValue(entity, out var station))
                {
                    (working, occupied) = station.Time.Sum(now);
                }

                name = StationName(entity);
            }

            if (occupied < MinOccupiedSeconds)
            {
                return new Check(Verdict.Clear, 0, null, $"{name}: not enough occupied time in the last hour.");
            }

            var value = working / occupied * 100;
            return new Check(value < threshold ? Verdict.Holds : Verdict.Clear, Math.Round(value, 1), null,
                $"{name} utilization is {Num(value, "0.0")} % over the last hour ({Num(working / 3600, "0.0")} h working of {Num(occupied / 3600, "0.0")} h occupied), below {Num(threshold, "0.#")} %.");
        }

        private Check IdleStretch(string workerId, double threshold)
        {
            if (!owner._workers.TryGetValue(workerId, out var worker) || worker.State != EventType.Idle || now - worker.StateAt > owner._stateTimeout)
            {
                return new Check(Verdict.Clear, 0, null, $"{WorkerName(workerId)} is not idle.");
            }

            var minutes = (now - worker.IdleSince) / (double)TimeSpan.TicksPerMinute;
            var since = worker.IdleSince + (long)(threshold * TimeSpan.TicksPerMinute);
            return new Check(minutes >= threshold ? Verdict.Holds : Verdict.Clear, Math.Round(minutes, 1), since,
                $"{WorkerName(workerId)} has been idle at {StationName(worker.StateStation ?? "")} for {Num(minutes, "0")} min (since {Clock(worker.IdleSince)} UTC), at or above {Num(threshold, "0.#")} min.");
        }

        private Check Unstaffed(string stationId, double threshold)
        {
            var due = 0;
            var paused = false;
            foreach (var worker in WorkersLastAt(stationId))
            {
                switch (Due(worker, out _, out _))
                {
                    case Verdict.Holds:
                        due++;
                        break;
                    case Verdict.Paused:
                        paused = true;
                        break;
                }
            }

            var present = 0;
            if (owner._stations.TryGetValue(stationId, out var station))
            {
                foreach (var (_, (_, expiry)) in station.Present)
                {
                    present += expiry > now ? 1 : 0;
                }
            }

            var name = StationName(stationId);
            if (due == 0)
            {
                return new Check(paused ? Verdict.Paused : Verdict.Clear, present, null, $"{name}: none of its workers is on shift.");
            }

            return new Check(present < threshold ? Verdict.Holds : Verdict.Clear, present, null,
                $"{name} has {present} worker(s) working or idle while {due} of its workers are on shift (fewer than {Num(threshold, "0")}).");
        }

        private Check UnitsPerHour(AlertScope scope, string entity, double threshold)
        {
            double units, hours;
            string name;
            switch (scope)
            {
                case AlertScope.Worker:
                    owner._workers.TryGetValue(entity, out var worker);
                    units = worker?.Units.Sum(now).A ?? 0;
                    hours = (worker?.Working.Sum(now).A ?? 0) / 3600;
                    name = WorkerName(entity);
                    break;
                case AlertScope.Workstation:
                    owner._stations.TryGetValue(entity, out var station);
                    units = station?.Units.Sum(now).A ?? 0;
                    hours = (station?.Time.Sum(now).B ?? 0) / 3600;
                    name = StationName(entity);
                    break;
                default:
                    units = owner._factoryUnits.Sum(now).A;
                    hours = owner._workers.Values.Sum(w => w.Working.Sum(now).A) / 3600;
                    name = "Factory";
                    break;
            }

            if (hours * 3600 < MinWorkingSeconds)
            {
                return new Check(Verdict.Clear, 0, null, $"{name}: not enough working time in the last hour.");
            }

            var value = units / hours;
            return new Check(value < threshold ? Verdict.Holds : Verdict.Clear, Math.Round(value, 1), null,
                $"{name} made {Num(units, "0")} units in {Num(hours, "0.0")} h over the last hour: {Num(value, "0.0")} u/h, below the target {Num(threshold, "0.#")} u/h.");
        }

        private Check Confidence(AlertScope scope, string entity, double threshold)
        {
            var ring = scope == AlertScope.Factory ? owner._factoryConfidence : owner._cameras.TryGetValue(entity, out var camera) ? camera.Confidence : null;
            var (sum, count) = ring?.Sum(now) ?? (0, 0);
            var name = scope == AlertScope.Factory ? "All cameras" : $"Camera {entity}";
            if (count < MinEvents)
            {
                return new Check(Verdict.Clear, 0, null, $"{name}: fewer than {MinEvents} events in the last hour.");
            }

            var value = sum / count;
            return new Check(Math.Round(value, 6) < threshold ? Verdict.Holds : Verdict.Clear, Math.Round(value, 4), null,
                $"{name}: mean confidence {Num(value, "0.00")} over the last hour ({Num(count, "0")} events), below {Num(threshold, "0.00")}: potential model drift.");
        }

        private Check LateShare(AlertScope scope, string entity, double threshold)
        {
            var ring = scope == AlertScope.Factory ? owner._factoryLate : owner._cameras.TryGetValue(entity, out var camera) ? camera.Late : null;
            var (late, count) = ring?.Sum(now) ?? (0, 0);
            var name = scope == AlertScope.Factory ? "All cameras" : $"Camera {entity}";
            if (count < MinEvents)
            {
                return new Check(Verdict.Clear, 0, null, $"{name}: fewer than {MinEvents} events received in the last hour.");
            }

            var value = late / count * 100;
            return new Check(value > threshold ? Verdict.Holds : Verdict.Clear, Math.Round(value, 1), null,
                $"{name}: {Num(value, "0.0")} % of the events received in the last hour arrived late ({Num(late, "0")} of {Num(count, "0")}), above {Num(threshold, "0.#")} %.");
        }

        private Check Silent(string cameraId, double threshold, RuleEntityState? state)
        {
            if (!owner._cameras.TryGetValue(cameraId, out var camera))
            {
                return new Check(Verdict.Unknown, 0, null, "");
            }

            var (expected, since, paused) = CameraSilence(camera);
            if (paused && state?.AlertId is not null)
            {
                return new Check(Verdict.Paused, 0, null, "");
            }

            var minutes = expected ? (now - since) / (double)TimeSpan.TicksPerMinute : 0;
            var message = $"Camera {cameraId} has sent nothing since {Clock(camera.LastSeen)} UTC while the workers of {string.Join(", ", StationsOf(camera).Select(StationName))} are on shift: check power, network and the lens.";
            if (!expected)
            {
                return new Check(paused ? Verdict.Paused : Verdict.Clear, 0, null, $"Camera {cameraId} is not expected to report now.");
            }

            // An open alert stays open while the camera has not reported since it opened (a break in between restarts
            // the silence clock, not the alert).
            var holds = minutes >= threshold || (state?.AlertId is not null && camera.LastSeen <= state.Marker);
            return new Check(holds ? Verdict.Holds : Verdict.Clear, Math.Round(minutes, 1), since + (long)(threshold * TimeSpan.TicksPerMinute), message);
        }

        /// <summary>
        /// Whether the camera is expected to report now and since when its (expected) silence runs: it is when one of
        /// the workers last seen at its stations is due (in the shift occurrence of that last sighting, outside its planned
        /// breaks) and the camera itself reported in that occurrence. Paused: the only due workers are on a planned break.
        /// </summary>
        public (bool Expected, long Since, bool Paused) CameraSilence(CameraLive camera)
        {
            long? since = null;
            var paused = false;
            foreach (var station in StationsOf(camera))
            {
                foreach (var worker in WorkersLastAt(station))
                {
                    var verdict = Due(worker, out var occurrenceStart, out var breakEnd);
                    if (verdict == Verdict.Paused)
                    {
                        paused = true;
                        continue;
                    }

                    if (verdict != Verdict.Holds || camera.LastSeen < occurrenceStart)
                    {
                        continue;
                    }

                    var start = Math.Max(camera.LastSeen, breakEnd);
                    since = since is null ? start : Math.Min(since.Value, start);
                }
            }

            return since is { } s ? (true, s, false) : (false, 0, paused);
        }

        private IEnumerable<string> StationsOf(CameraLive camera)
        {
            var named = context.Registry.Workstations.Where(s => s.Cameras.Contains(camera.Id, StringComparer.Ordinal)).Select(s => s.Id).ToList();
            return named.Count > 0 ? named : camera.Stations.Keys;
        }

        private List<WorkerLive> WorkersLastAt(string station)
        {
            if (_byStation is null)
            {
                _byStation = new Dictionary<string, List<WorkerLive>>(StringComparer.Ordinal);
                foreach (var worker in owner._workers.Values)
                {
                    if (worker.LastStation is { } at)
                    {
                        if (!_byStation.TryGetValue(at, out var list))
                        {
                            _byStation[at] = list = [];
                        }

                        list.Add(worker);
                    }
                }
            }

            return _byStation.TryGetValue(station, out var found) ? found : [];
        }

        /// <summary>
        /// Is the worker expected to be active now? With a calendar: now lies in the occurrence of their shift (their
        /// registry shift, else the plant's shift in progress) that holds their last sighting, outside its planned breaks
        /// (Paused inside one). Without: they were seen within <c>Metrics:OffShiftGap</c> and their last state is not absent.
        /// </summary>
        private Verdict Due(WorkerLive worker, out long occurrenceStart, out long breakEnd)
        {
            occurrenceStart = long.MinValue;
            breakEnd = long.MinValue;
            if (worker.LastSeen == long.MinValue)
            {
                return Verdict.Clear;
            }

            if (!CalendarOn)
            {
                return now - worker.LastSeen <= owner._offShiftGap && worker.State != EventType.Absent ? Verdict.Holds : Verdict.Clear;
            }

            var registry = context.Registry.WorkersById.GetValueOrDefault(worker.Id);
            var shift = context.Calendar.Find(registry?.Shift) ?? PlantShiftAt(worker.LastSeen);
            if (shift is null)
            {
                return Verdict.Clear;
            }

            var occurrence = OccurrenceHolding(shift, worker.LastSeen);
            if (occurrence is not { } o || now < o.Start || now >= o.End)
            {
                return Verdict.Clear;
            }

            occurrenceStart = o.Start;
            foreach (var (start, end) in o.Breaks)
            {
                if (now >= start && now < end)
                {
                    return Verdict.Paused;
                }

                if (end <= now)
                {
                    breakEnd = Math.Max(breakEnd, end);
                }
            }

            return Verdict.Holds;
        }

        private ShiftDefinition? PlantShiftAt(long ticks) =>
            context.Calendar.At(Utc(ticks), context.Zone) is { } occurrence ? context.Calendar.Find(occurrence.Shift) : null;

        private (long Start, long End, (long Start, long End)[] Breaks)? OccurrenceHolding(ShiftDefinition shift, long ticks)
        {
            var key = shift.Name + "@" + (ticks / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture);
            if (_occurrenceAt.TryGetValue(key, out var cached))
            {
                return cached;
            }

            (long, long, (long, long)[])? found = null;
            foreach (var o in ShiftCalendar.Occurrences(shift, Utc(ticks), Utc(ticks + 1), context.Zone))
            {
                found = (o.Start.Ticks, o.End.Ticks, ShiftCalendar.Breaks(shift, o, context.Zone).Select(b => (b.Start.Ticks, b.End.Ticks)).ToArray());
                break;
            }

            _occurrenceAt[key] = found;
            return found;
        }

        private (bool InShift, bool InBreak) WorkerShiftNow(string workerId)
        {
            if (!CalendarOn)
            {
                return (true, false);
            }

            var registry = context.Registry.WorkersById.GetValueOrDefault(workerId);
            var shift = context.Calendar.Find(registry?.Shift);
            if (shift is null)
            {
                return PlantShiftNow();
            }

            if (OccurrenceHolding(shift, now) is not { } o)
            {
                return (false, false);
            }

            return (true, o.Breaks.Any(b => now >= b.Start && now < b.End));
        }

        private (bool InShift, bool InBreak) PlantShiftNow()
        {
            if (_plantShift is { } known)
            {
                return known;
            }

            if (!CalendarOn)
            {
                return (_plantShift = (true, false)).Value;
            }

            var shift = PlantShiftAt(now);
            if (shift is null || OccurrenceHolding(shift, now) is not { } o)
            {
                return (_plantShift = (false, false)).Value;
            }

            return (_plantShift = (true, o.Breaks.Any(b => now >= b.Start && now < b.End))).Value;
        }

        private string WorkerName(string id) =>
            context.Registry.WorkersById.TryGetValue(id, out var w) ? $"{w.Name} ({id})" : $"Worker {id}";

        private string StationName(string id) =>
            context.Registry.WorkstationsById.TryGetValue(id, out var s) ? $"{s.Name} ({id})" : $"Station {id}";
    }

    /// <summary>The threshold a rule without one uses.</summary>
    public static double DefaultThreshold(AlertRuleKind kind, TimeSpan cameraSilentAfter) => kind switch
    {
        AlertRuleKind.StationUtilization => 50,
        AlertRuleKind.WorkerIdleStretch => 20,
        AlertRuleKind.StationUnstaffed => 1,
        AlertRuleKind.UnitsPerHour => 10,
        AlertRuleKind.ModelConfidence => 0.75,
        AlertRuleKind.CameraSilent => cameraSilentAfter.TotalMinutes,
        _ => 10,
    };

    /// <summary>True when a factory-scoped rule of this kind watches the factory as a whole (otherwise: each entity).</summary>
    public static bool HasFactoryAggregate(AlertRuleKind kind) => Pass.HasAggregate(kind);

    private static DateTime Utc(long ticks) => new(ticks, DateTimeKind.Utc);

    private static string Clock(long ticks) => Utc(ticks).ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string Num(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
