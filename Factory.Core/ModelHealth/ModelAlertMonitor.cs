using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.ModelHealth;

/// <summary>
/// Raises and clears model alerts: a critical average, a drop of more than 10 % between the last two
/// full hours (overall and per camera), and a silent camera. Each alert keeps the time it started;
/// subscribers are told whenever the set changes, and every change is logged.
/// </summary>
public sealed partial class ModelAlertMonitor(
    ConfidenceAggregates aggregates,
    IOptions<ModelHealthOptions> options,
    ILogger<ModelAlertMonitor> logger)
{
    private readonly Lock _gate = new();
    private ImmutableDictionary<string, ModelAlert> _active = ImmutableDictionary<string, ModelAlert>.Empty;
    private ImmutableArray<Action<IReadOnlyList<ModelAlert>>> _handlers = [];

    public IReadOnlyList<ModelAlert> Active => Sorted(_active);

    public IDisposable Subscribe(Action<IReadOnlyList<ModelAlert>> handler)
    {
        ImmutableInterlocked.Update(ref _handlers, static (list, h) => list.Add(h), handler);
        return new Unsubscriber(() => ImmutableInterlocked.Update(ref _handlers, static (list, h) => list.Remove(h), handler));
    }

    /// <summary>Re-evaluates every condition at <paramref name="now"/> and returns the active alerts.</summary>
    /// <param name="silent">Cameras silent while expected to report, with the start of their silence (see <see cref="ModelHealthService.SilentCamerasAsync"/>).</param>
    public IReadOnlyList<ModelAlert> Evaluate(DateTime now, double latestAverage, int latestSamples, IReadOnlyDictionary<string, DateTime>? silent = null)
    {
        var o = options.Value;
        var conditions = new Dictionary<string, (AlertKind Kind, HealthStatus Severity, string? Camera, string Message)>(StringComparer.Ordinal);

        if (latestSamples > 0 && Math.Round(latestAverage, 6) < o.CriticalBelow)
        {
            conditions["critical-average"] = (AlertKind.CriticalAverage, HealthStatus.Critical, null,
                $"Average confidence of the latest {latestSamples} events is {latestAverage:0.00}, below {o.CriticalBelow:0.00}: potential model drift.");
        }

        var currentHour = now.Ticks - (now.Ticks % TimeSpan.TicksPerHour);
        var previous = currentHour - TimeSpan.TicksPerHour;
        var before = previous - TimeSpan.TicksPerHour;
        var hourly = aggregates.Cells
            .Where(c => c.Key.HourTicks == previous || c.Key.HourTicks == before)
            .Select(c => (c.Key.Camera, Last: c.Key.HourTicks == previous, c.Value.Count, c.Value.Sum))
            .ToList();

        void CheckDrop(string id, string? camera, IEnumerable<(string Camera, bool Last, long Count, double Sum)> cells, string scope)
        {
            var list = cells.ToList();
            var (lastCount, lastSum) = (list.Where(c => c.Last).Sum(c => c.Count), list.Where(c => c.Last).Sum(c => c.Sum));
            var (prevCount, prevSum) = (list.Where(c => !c.Last).Sum(c => c.Count), list.Where(c => !c.Last).Sum(c => c.Sum));
            if (lastCount == 0 || prevCount == 0)
            {
                return;
            }

            var (lastMean, prevMean) = (lastSum / lastCount, prevSum / prevCount);
            if (prevMean > 0 && (prevMean - lastMean) / prevMean > o.HourlyDropAlert)
            {
                conditions[id] = (AlertKind.ConfidenceDrop, HealthStatus.Warning, camera,
                    $"{scope} confidence dropped {(prevMean - lastMean) / prevMean:P0} between the last two full hours ({prevMean:0.00} → {lastMean:0.00}).");
            }
        }

        CheckDrop("drop:overall", null, hourly, "Overall");
        foreach (var camera in hourly.Where(c => c.Camera.Length > 0).GroupBy(c => c.Camera))
        {
            CheckDrop("drop:" + camera.Key, camera.Key, camera, $"Camera {camera.Key}");
        }

        foreach (var (camera, since) in silent ?? new Dictionary<string, DateTime>())
        {
            conditions["silent:" + camera] = (AlertKind.CameraSilent, HealthStatus.Warning, camera,
                $"Camera {camera} has sent nothing since {since:HH:mm} UTC while the workers it watches are on shift: check power, network and the lens.");
        }

        return Apply(now, conditions);
    }

    private IReadOnlyList<ModelAlert> Apply(DateTime now, Dictionary<string, (AlertKind Kind, HealthStatus Severity, string? Camera, string Message)> conditions)
    {
        List<ModelAlert> raised = [];
        List<ModelAlert> cleared = [];
        ImmutableDictionary<string, ModelAlert> next;
        lock (_gate)
        {
            var builder = ImmutableDictionary.CreateBuilder<string, ModelAlert>(StringComparer.Ordinal);
            foreach (var (id, c) in conditions)
            {
                if (_active.TryGetValue(id, out var existing))
                {
                    builder[id] = existing with { Message = c.Message, Severity = c.Severity };
                }
                else
                {
                    var alert = new ModelAlert(id, c.Kind, c.Severity, c.Camera, c.Message, now);
                    builder[id] = alert;
                    raised.Add(alert);
                }
            }

            cleared.AddRange(_active.Values.Where(a => !conditions.ContainsKey(a.Id)));
            next = builder.ToImmutable();
            _active = next;
        }

        foreach (var alert in raised)
        {
            LogRaised(alert.Id, alert.Message);
        }

        foreach (var alert in cleared)
        {
            LogCleared(alert.Id, alert.StartedAt);
        }

        var sorted = Sorted(next);
        if (raised.Count > 0 || cleared.Count > 0)
        {
            foreach (var handler in _handlers)
            {
                handler(sorted);
            }
        }

        return sorted;
    }

    private static List<ModelAlert> Sorted(ImmutableDictionary<string, ModelAlert> alerts) =>
        alerts.Values.OrderByDescending(a => a.Severity).ThenBy(a => a.StartedAt).ThenBy(a => a.Id, StringComparer.Ordinal).ToList();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model alert raised: {AlertId}: {Message}")]
    private partial void LogRaised(string alertId, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model alert cleared: {AlertId} (active since {StartedAt:o})")]
    private partial void LogCleared(string alertId, DateTime startedAt);

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                dispose();
            }
        }
    }
}
