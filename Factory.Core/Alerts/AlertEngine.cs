using System.Diagnostics.Metrics;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Registry;
using Factory.Core.Shifts;
using Factory.Core.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.Alerts;

/// <summary>
/// Runs the evaluator: at start-up it reads the last <see cref="AlertOptions.WarmUp"/> of events (a bounded read,
/// whatever the stored history); then it runs a pass soon after events are committed (only the entities they touched)
/// and a full pass every <see cref="AlertOptions.EvaluateEvery"/> (durations, silence, escalation), and stores what each
/// pass decided through <see cref="AlertService"/>. Every instance keeps the figures current, but only the holder of the
/// <see cref="EvaluationLease"/> evaluates; on taking the lease it reads the unresolved alerts back, since another
/// instance may have opened or resolved some.
/// </summary>
public sealed partial class AlertEngine(
    AlertEvaluator evaluator,
    AlertService alerts,
    EvaluationLease lease,
    AlertRuleEditor rules,
    IShiftCalendarProvider calendars,
    RegistryCache registry,
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<AlertOptions> options,
    IOptions<FactoryOptions> factory,
    ILogger<AlertEngine> logger,
    IMeterFactory? meters = null) : BackgroundService, IEventsClearedObserver
{
    private readonly Meter? _meter = CreateMeter(meters, evaluator, lease);

    /// <summary>
    /// The evaluator's own time as a counter (<c>factory_alerts_evaluation_seconds</c> on /metrics, wall time of the
    /// passes), to set against process CPU; and which instance holds the evaluation lease.
    /// </summary>
    private static Meter? CreateMeter(IMeterFactory? meters, AlertEvaluator evaluator, EvaluationLease lease)
    {
        var meter = meters?.Create("Factory.Alerts");
        meter?.CreateObservableCounter("evaluation_seconds", () => evaluator.WorkTime.TotalSeconds, "s",
            "Time spent folding committed events into the alert figures and evaluating rules");
        meter?.CreateObservableCounter("passes", () => evaluator.Passes, null, "Alert evaluation passes");
        meter?.CreateObservableGauge("lease_held", () => lease.IsHeld ? 1 : 0, null,
            "1 on the instance that holds the alert evaluation lease (it evaluates the rules), 0 on the others");
        return meter;
    }

    /// <summary>Event passes are at least this far apart, so a burst of commits costs one pass (a throughput guard, in real time).</summary>
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(200);

    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _passLock = new(1, 1);
    private long _lastPassTicks;

    /// <summary>The clock reading of the last completed pass (tests wait on it).</summary>
    public DateTime LastPassAt => new(Interlocked.Read(ref _lastPassTicks), DateTimeKind.Utc);

    /// <summary>The context a pass needs, read from the cached calendar, registry and rules.</summary>
    public async Task<AlertContext> ContextAsync(CancellationToken ct = default) =>
        new(await calendars.GetAsync(ct), factory.Value.Zone, await registry.GetAsync(ct), await rules.ListAsync(ct));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        evaluator.EventsQueued += Wake;
        try
        {
            await StartUpAsync(stoppingToken);
            using var timer = new PeriodicTimer(options.Value.EvaluateEvery, time);
            Task<bool>? tick = null;
            Task? wake = null;
            await PassAsync(full: true, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
                wake ??= _wake.WaitAsync(stoppingToken);
                var done = await Task.WhenAny(tick, wake);
                if (done.IsCanceled)
                {
                    break;
                }

                var full = done == tick;
                if (full)
                {
                    tick = null;
                }
                else
                {
                    wake = null;
                }

                await PassAsync(full, stoppingToken);
                if (!full)
                {
                    await Task.Delay(Coalesce, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            evaluator.EventsQueued -= Wake;
            await ReleaseAsync();
        }
    }

    /// <summary>Gives the lease up at shutdown so that another instance evaluates at its next pass, not after expiry.</summary>
    private async Task ReleaseAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await lease.ReleaseAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            LogReleaseFailed(ex);
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>One pass; failures are logged and the pass is simply tried again next time (nothing took effect).</summary>
    public async Task PassAsync(bool full, CancellationToken ct = default)
    {
        await _passLock.WaitAsync(ct);
        try
        {
            if (evaluator.Overflowed)
            {
                evaluator.Reset();
                await WarmUpAsync(ct);
            }

            if (full)
            {
                // Acknowledgements and changes made on other instances: pages here refresh, escalation stops.
                foreach (var acknowledged in (await alerts.RefreshOpenAsync(ct)).Where(a => a.State == AlertState.Acknowledged))
                {
                    evaluator.MarkAcknowledged(acknowledged.Id);
                }
            }

            var now = time.GetUtcNow().UtcDateTime;
            if (!await HoldsLeaseAsync(full, ct))
            {
                evaluator.Fold();
                Interlocked.Exchange(ref _lastPassTicks, now.Ticks);
                return;
            }

            var context = await ContextAsync(ct);
            var transitions = evaluator.Evaluate(now, context, full);
            if (transitions.Count > 0)
            {
                await StoreAsync(transitions, ct);
            }

            Interlocked.Exchange(ref _lastPassTicks, now.Ticks);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogPassFailed(ex);
        }
        finally
        {
            _passLock.Release();
        }
    }

    /// <summary>Renews or takes the lease (one database round trip per timer pass); on taking it, reads the unresolved alerts back.</summary>
    private async Task<bool> HoldsLeaseAsync(bool full, CancellationToken ct)
    {
        if (!options.Value.Evaluate)
        {
            return false;
        }

        var wasHeld = lease.IsHeld;
        if (!full)
        {
            // Passes after commits renew a lease running out but never try to take one: timer passes do.
            return wasHeld && (await lease.RenewAsync(force: false, ct)).Held;
        }

        var (holds, taken) = await lease.RenewAsync(force: full, ct);
        if (holds && (taken || !_restored))
        {
            await RestoreAsync(ct);
            LogLeaseTaken(lease.Owner);
        }
        else if (!holds && wasHeld)
        {
            LogLeaseLost(lease.Owner);
        }

        return holds;
    }

    private bool _restored;

    /// <summary>Replaces what the rules remember with the unresolved alerts in the database.</summary>
    private async Task RestoreAsync(CancellationToken ct)
    {
        var unresolved = await alerts.LoadUnresolvedAsync(ct);
        evaluator.ForgetRuleStates();
        foreach (var alert in unresolved)
        {
            evaluator.Restore(alert);
        }

        _restored = true;
    }

    private async Task StoreAsync(IReadOnlyList<AlertTransition> transitions, CancellationToken ct)
    {
        AlertApplyResult result;
        try
        {
            result = await alerts.ApplyAsync(transitions, ct);
        }
        catch (DbUpdateException ex)
        {
            // The database refused a change (e.g. a second open alert for one rule and entity): what this instance
            // remembers is out of date. Nothing of the pass was stored; read the truth back and decide again next pass.
            LogApplyRefused(ex);
            await RestoreAsync(ct);
            return;
        }

        if (!result.LeaseHeld)
        {
            _restored = false;
            LogLeaseLost(lease.Owner);
            return;
        }

        for (var i = 0; i < transitions.Count; i++)
        {
            var t = transitions[i];
            if (result.Ids[i] is { } id)
            {
                evaluator.Confirm(t, id);
                if (t.Change == AlertChange.Opened)
                {
                    LogOpened(id, t.Rule.Name, t.EntityId, t.Message);
                }
            }
            else if (t.Change == AlertChange.Escalated && t.AlertId is { } stale)
            {
                evaluator.MarkAcknowledged(stale); // acknowledged or resolved meanwhile: no escalation any more
            }
            else if (t.Change == AlertChange.Resolved)
            {
                evaluator.Confirm(t, t.AlertId ?? 0); // already resolved: forget it all the same
            }
        }
    }

    private async Task StartUpAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await WarmUpAsync(ct);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogStartFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(5), time, ct);
            }
        }
    }

    /// <summary>Reads the recent events (by timestamp, at most <see cref="AlertOptions.WarmUp"/> back) into the evaluator, in chunks.</summary>
    private async Task WarmUpAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var maxId = await db.Events.MaxAsync(e => (long?)e.Id, ct) ?? 0;
        var from = time.GetUtcNow().UtcDateTime - options.Value.WarmUp;
        var chunk = new List<FactoryEvent>(10_000);
        var rows = db.Events.AsNoTracking().Where(e => e.Id <= maxId && e.Timestamp >= from).OrderBy(e => e.Timestamp).ThenBy(e => e.Id).AsAsyncEnumerable();
        var count = 0;
        await foreach (var e in rows.WithCancellation(ct))
        {
            chunk.Add(e);
            if (chunk.Count == chunk.Capacity)
            {
                evaluator.WarmUp(chunk, long.MaxValue);
                count += chunk.Count;
                chunk.Clear();
            }
        }

        evaluator.WarmUp(chunk, maxId);
        LogWarm(count + chunk.Count, options.Value.WarmUp.TotalMinutes);
    }

    public async Task OnEventsClearedAsync(long deleted, CancellationToken ct)
    {
        await _passLock.WaitAsync(ct);
        try
        {
            evaluator.Reset();
            await WarmUpAsync(ct);
        }
        finally
        {
            _passLock.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertId} opened by rule '{Rule}' for '{Entity}': {Message}")]
    private partial void LogOpened(long alertId, string rule, string entity, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert evaluation pass failed; it will be retried")]
    private partial void LogPassFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert evaluation could not start; retrying in 5 s")]
    private partial void LogStartFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "This instance ({Owner}) took the alert evaluation lease and evaluates the rules")]
    private partial void LogLeaseTaken(string owner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This instance ({Owner}) lost the alert evaluation lease; another instance evaluates")]
    private partial void LogLeaseLost(string owner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing the alert evaluation lease at shutdown failed; another instance takes it when it expires")]
    private partial void LogReleaseFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database refused the alert changes of a pass; the open alerts are read back and the pass decided again")]
    private partial void LogApplyRefused(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert evaluation warmed up with {Count} events of the last {Minutes} min")]
    private partial void LogWarm(int count, double minutes);
}
