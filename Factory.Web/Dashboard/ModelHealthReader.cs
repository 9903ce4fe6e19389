using Factory.Core.Data;
using Factory.Core.ModelHealth;

namespace Factory.Web.Dashboard;

/// <summary>Model health as the dashboard reads and edits it (a seam so components can be tested without a database).</summary>
public interface IModelHealthReader
{
    Task<ModelHealthReport> GetReportAsync(CancellationToken ct = default);

    /// <summary>Mean confidence per model version per local day (or UTC hour) over the last <paramref name="days"/> days.</summary>
    Task<IReadOnlyList<ConfidenceTrendPoint>> TrendAsync(int days, bool hourly, TimeZoneInfo zone, CancellationToken ct = default);

    /// <summary>Mean confidence per camera per hour over the last <paramref name="hours"/> hours.</summary>
    Task<IReadOnlyList<HeatmapCell>> HeatmapAsync(int hours, CancellationToken ct = default);

    /// <summary>Events per model version over the last <paramref name="days"/> days.</summary>
    Task<IReadOnlyDictionary<string, ModelShare>> DistributionAsync(int days, CancellationToken ct = default);

    Task<IReadOnlyList<ModelExclusion>> ListExclusionsAsync(CancellationToken ct = default);

    /// <summary>Excludes a version; false when it already was.</summary>
    Task<bool> AddExclusionAsync(string modelVersion, string? reason, CancellationToken ct = default);

    /// <summary>Restores a version; false when it was not excluded.</summary>
    Task<bool> RemoveExclusionAsync(string modelVersion, CancellationToken ct = default);

    /// <summary>Calls <paramref name="changed"/> when the set of active alerts or of exclusions changes; dispose to stop.</summary>
    IDisposable SubscribeChanges(Action changed);
}

internal sealed class ModelHealthReader(ModelHealthService service, ModelAlertMonitor alerts, ModelExclusions exclusions) : IModelHealthReader
{
    public Task<ModelHealthReport> GetReportAsync(CancellationToken ct = default) => service.GetReportAsync(ct);

    public Task<IReadOnlyList<ConfidenceTrendPoint>> TrendAsync(int days, bool hourly, TimeZoneInfo zone, CancellationToken ct = default) =>
        service.TrendAsync(days, hourly, zone, ct);

    public Task<IReadOnlyList<HeatmapCell>> HeatmapAsync(int hours, CancellationToken ct = default) => service.HeatmapAsync(hours, ct);

    public Task<IReadOnlyDictionary<string, ModelShare>> DistributionAsync(int days, CancellationToken ct = default) => service.DistributionAsync(days, ct);

    public Task<IReadOnlyList<ModelExclusion>> ListExclusionsAsync(CancellationToken ct = default) => exclusions.ListAsync(ct);

    public Task<bool> AddExclusionAsync(string modelVersion, string? reason, CancellationToken ct = default) => exclusions.AddAsync(modelVersion, reason, ct);

    public Task<bool> RemoveExclusionAsync(string modelVersion, CancellationToken ct = default) => exclusions.RemoveAsync(modelVersion, ct);

    public IDisposable SubscribeChanges(Action changed)
    {
        var alertSubscription = alerts.Subscribe(_ => changed());
        void OnExclusions(System.Collections.Immutable.ImmutableHashSet<string> _) => changed();
        exclusions.Changed += OnExclusions;
        return new Subscription(() =>
        {
            alertSubscription.Dispose();
            exclusions.Changed -= OnExclusions;
        });
    }

    private sealed class Subscription(Action dispose) : IDisposable
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
