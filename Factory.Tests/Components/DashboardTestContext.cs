using Bunit;
using Factory.Core.Events;
using Factory.Core.Live;
using Factory.Core.Metrics;
using Factory.Core.ModelHealth;
using Factory.Core.Time;
using Factory.Web.Dashboard;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;

namespace Factory.Tests.Components;

/// <summary>
/// A bUnit context with MudBlazor, a fixed clock (<see cref="Now"/>), the real in-process notifier, a fake
/// metrics engine and an in-memory event log. MudBlazor's services need async disposal, hence IAsyncLifetime.
/// </summary>
public abstract class DashboardTestContext : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 1, 21, 15, 0, 0, TimeSpan.Zero);

    protected DashboardTestContext(string timeZone = "UTC", bool authorization = false)
    {
        if (authorization)
        {
            // Before anything resolves a service: bUnit refuses registrations after that.
            Auth = Context.AddAuthorization();
        }

        Context.Services.AddMudServices();
        Context.Services.AddSingleton<TimeProvider>(Time);
        Context.Services.AddSingleton(Options.Create(new FactoryOptions { TimeZone = timeZone }));
        Context.Services.AddSingleton(Options.Create(new MetricsOptions()));
        Context.Services.AddSingleton(Options.Create(new ModelHealthOptions()));
        Context.Services.AddSingleton<FactoryClock>();
        Context.Services.AddSingleton(new Factory.Core.Limits.QueryLimits(
            Options.Create(new Factory.Core.Limits.LimitsOptions()), Options.Create(new Factory.Core.Data.RetentionOptions()), Options.Create(new FactoryOptions { TimeZone = timeZone })));
        Context.Services.AddSingleton<SharedFigures>();
        Context.Services.AddSingleton<IEventNotifier>(Notifier);
        Context.Services.AddSingleton<IMetricsService>(Metrics);
        Context.Services.AddSingleton<IEventLog>(Log);
        Context.Services.AddSingleton<IModelHealthReader>(Health);
        Context.Services.AddSingleton<Factory.Core.DataQuality.IDataQualityService>(Quality);
        Context.Services.AddSingleton<Factory.Web.Alerts.IAlertBoard>(Alerts);
        Context.Services.AddScoped<ReconnectSignal>();
        Context.Services.AddSingleton<global::Factory.Core.Shifts.IShiftCalendarProvider>(new CalendarOfTest(this));
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    protected BunitContext Context { get; } = new();

    /// <summary>The shift calendar the pages read (the default morning/evening/night calendar unless a test sets another).</summary>
    protected global::Factory.Core.Shifts.ShiftCalendar Calendar { get; set; } = global::Factory.Core.Shifts.ShiftCalendar.Default;

    private sealed class CalendarOfTest(DashboardTestContext test) : global::Factory.Core.Shifts.IShiftCalendarProvider
    {
        public ValueTask<global::Factory.Core.Shifts.ShiftCalendar> GetAsync(CancellationToken ct = default) => ValueTask.FromResult(test.Calendar);
    }

    /// <summary>The signed-in user (anonymous until set) when the context was made with authorization.</summary>
    protected Bunit.TestDoubles.BunitAuthorizationContext? Auth { get; }

    protected FakeTimeProvider Time { get; } = new(Now);

    protected EventNotifier Notifier { get; } = new(NullLogger<EventNotifier>.Instance);

    protected FakeMetricsService Metrics { get; } = new();

    protected InMemoryEventLog Log { get; } = new();

    protected FakeModelHealth Health { get; } = new();

    protected FakeDataQuality Quality { get; } = new();

    protected FakeAlertBoard Alerts { get; } = new();

    protected FactoryClock Clock => Context.Services.GetRequiredService<FactoryClock>();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public virtual async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static long _nextId;

    /// <summary>A stored event <paramref name="minutesAgo"/> before <see cref="Now"/>.</summary>
    public static FactoryEvent Event(EventType type, string worker = "W1", string station = "S1", double minutesAgo = 1, double confidence = 0.9, int count = 1) => new()
    {
        Id = Interlocked.Increment(ref _nextId),
        Timestamp = Now.UtcDateTime.AddMinutes(-minutesAgo),
        ReceivedAt = Now.UtcDateTime,
        WorkerId = worker,
        WorkstationId = station,
        EventType = type,
        Confidence = confidence,
        Count = count,
        CameraId = "CAM-01",
        ModelVersion = "yolov8-v2.1",
        LowConfidence = confidence < 0.7,
    };

    public static WorkerMetrics Worker(string id, string name, double working, double idle, double absent, long units, WorkerStatus status = WorkerStatus.Working)
    {
        var tracked = working + idle + absent;
        return new WorkerMetrics(id, name, working, idle, absent, tracked, tracked == 0 ? 0 : working / tracked * 100, units,
            working == 0 ? 0 : units / working, Now.UtcDateTime.AddMinutes(-1), status);
    }

    public static WorkstationMetrics Station(string id, double utilization, double occupancyHours = 4, long units = 10, int active = 1) =>
        new(id, $"Station {id}", occupancyHours, occupancyHours * utilization / 100, utilization, occupancyHours / 24 * 100, units,
            occupancyHours == 0 ? 0 : units / occupancyHours, active);

    public static FactoryMetrics Factory(double working, double tracked, long units, int active, long events = 100, long lowConfidence = 0) =>
        new(Now.UtcDateTime.AddHours(-24), Now.UtcDateTime, Now.UtcDateTime, working, tracked - working, 0, tracked,
            tracked == 0 ? 0 : working / tracked * 100, units, working == 0 ? 0 : units / working, active, 6, 6, events, lowConfidence);
}

/// <summary>Returns whatever the test sets, and counts how often each figure was asked for.</summary>
public sealed class FakeMetricsService : IMetricsService
{
    private int _factoryCalls;

    public FactoryMetrics Factory { get; set; } = DashboardTestContext.Factory(0, 0, 0, 0, events: 0);
    public FactoryMetrics? Today { get; set; }
    public IReadOnlyList<WorkerMetrics> Workers { get; set; } = [];
    public IReadOnlyList<WorkstationMetrics> Stations { get; set; } = [];
    public IReadOnlyList<TimeseriesBucket> Buckets { get; set; } = [];
    public IReadOnlyList<TimelineSegment> Timeline { get; set; } = [];
    public List<MetricsWindow> Windows { get; } = [];

    /// <summary>When set, every query fails with it (a database outage).</summary>
    public Exception? Failure { get; set; }

    /// <summary>Calls of <see cref="GetFactoryAsync"/> (two per dashboard refresh: the range and today).</summary>
    public int FactoryCalls => Volatile.Read(ref _factoryCalls);

    public MetricsWindow ResolveWindow(DateTime? start, DateTime? end, DateTime? asOf)
    {
        var e = end ?? DashboardTestContext.Now.UtcDateTime;
        var window = new MetricsWindow(start ?? e.AddHours(-24), e, asOf ?? e);
        lock (Windows)
        {
            Windows.Add(window);
        }

        return window;
    }

    public Task<IReadOnlyList<WorkerMetrics>> GetWorkersAsync(MetricsWindow window, string? workerId, CancellationToken ct = default) =>
        Failure is not null ? Task.FromException<IReadOnlyList<WorkerMetrics>>(Failure) : Task.FromResult<IReadOnlyList<WorkerMetrics>>(Workers.Where(w => workerId is null || w.WorkerId == workerId).ToList());

    public Task<IReadOnlyList<WorkstationMetrics>> GetWorkstationsAsync(MetricsWindow window, string? workstationId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<WorkstationMetrics>>(Stations.Where(s => workstationId is null || s.WorkstationId == workstationId).ToList());

    /// <summary>The window of the latest <see cref="GetFactoryAsync"/> call, as the page passed it (with its shift).</summary>
    public MetricsWindow? LastFactoryWindow { get; private set; }

    public Task<FactoryMetrics> GetFactoryAsync(MetricsWindow window, CancellationToken ct = default)
    {
        LastFactoryWindow = window;
        var call = Interlocked.Increment(ref _factoryCalls);
        if (Failure is not null)
        {
            return Task.FromException<FactoryMetrics>(Failure);
        }

        // The overview asks for the range first, then for today.
        return Task.FromResult(call % 2 == 0 && Today is not null ? Today : Factory);
    }

    public Task<IReadOnlyList<TimeseriesBucket>> GetTimeseriesAsync(MetricsWindow window, BucketSize bucket, string? workerId, string? workstationId, CancellationToken ct = default) =>
        Task.FromResult(Buckets);

    public Task<IReadOnlyList<TimelineSegment>> GetWorkerTimelineAsync(MetricsWindow window, string workerId, CancellationToken ct = default) =>
        Task.FromResult(Timeline);
}

/// <summary>Model-health figures set by the test (none: no events yet), exclusions kept in memory, change subscribers counted.</summary>
public sealed class FakeModelHealth : IModelHealthReader
{
    private readonly List<Action> _handlers = [];

    public ModelHealthReport Report { get; set; } = new(HealthStatus.Healthy, 0, 0, "No events yet.", DashboardTestContext.Now.UtcDateTime, [], [], []);
    public IReadOnlyList<ConfidenceTrendPoint> Trend { get; set; } = [];
    public IReadOnlyList<HeatmapCell> Heatmap { get; set; } = [];
    public IReadOnlyDictionary<string, ModelShare> Distribution { get; set; } = new Dictionary<string, ModelShare>();
    public List<global::Factory.Core.Data.ModelExclusion> Exclusions { get; } = [];

    /// <summary>Whether the last trend asked for hourly buckets.</summary>
    public bool? LastTrendHourly { get; private set; }

    public int Subscribers
    {
        get
        {
            lock (_handlers)
            {
                return _handlers.Count;
            }
        }
    }

    public Task<ModelHealthReport> GetReportAsync(CancellationToken ct = default) => Task.FromResult(Report);

    public Task<IReadOnlyList<ConfidenceTrendPoint>> TrendAsync(int days, bool hourly, TimeZoneInfo zone, CancellationToken ct = default)
    {
        LastTrendHourly = hourly;
        return Task.FromResult(Trend);
    }

    public Task<IReadOnlyList<HeatmapCell>> HeatmapAsync(int hours, CancellationToken ct = default) => Task.FromResult(Heatmap);

    public Task<IReadOnlyDictionary<string, ModelShare>> DistributionAsync(int days, CancellationToken ct = default) => Task.FromResult(Distribution);

    public Task<IReadOnlyList<global::Factory.Core.Data.ModelExclusion>> ListExclusionsAsync(CancellationToken ct = default)
    {
        lock (Exclusions)
        {
            return Task.FromResult<IReadOnlyList<global::Factory.Core.Data.ModelExclusion>>(Exclusions.ToList());
        }
    }

    public Task<bool> AddExclusionAsync(string modelVersion, string? reason, CancellationToken ct = default)
    {
        lock (Exclusions)
        {
            if (Exclusions.Any(x => x.ModelVersion == modelVersion))
            {
                return Task.FromResult(false);
            }

            Exclusions.Add(new global::Factory.Core.Data.ModelExclusion { ModelVersion = modelVersion, Reason = reason, CreatedAt = DashboardTestContext.Now.UtcDateTime });
            return Task.FromResult(true);
        }
    }

    public Task<bool> RemoveExclusionAsync(string modelVersion, CancellationToken ct = default)
    {
        lock (Exclusions)
        {
            return Task.FromResult(Exclusions.RemoveAll(x => x.ModelVersion == modelVersion) > 0);
        }
    }

    public IDisposable SubscribeChanges(Action changed)
    {
        lock (_handlers)
        {
            _handlers.Add(changed);
        }

        return new Unsubscribe(() =>
        {
            lock (_handlers)
            {
                _handlers.Remove(changed);
            }
        });
    }

    /// <summary>Tells subscribers that alerts or exclusions changed (as the alert monitor does).</summary>
    public void RaiseChanged()
    {
        Action[] handlers;
        lock (_handlers)
        {
            handlers = _handlers.ToArray();
        }

        foreach (var h in handlers)
        {
            h();
        }
    }

    private sealed class Unsubscribe(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

/// <summary>The event log over a list held in memory.</summary>
public sealed class InMemoryEventLog : IEventLog
{
    public List<FactoryEvent> Events { get; } = [];

    public Task<EventLogPage> PageAsync(EventFilter filter, int limit, EventLogPosition? after = null, CancellationToken ct = default)
    {
        var rows = Filter(filter).OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id)
            .Where(e => after is null || e.Timestamp < after.Timestamp || (e.Timestamp == after.Timestamp && e.Id < after.Id))
            .Take(limit + 1).ToList();
        EventLogPosition? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = new EventLogPosition(rows[^1].Timestamp, rows[^1].Id);
        }

        return Task.FromResult(new EventLogPage(rows, next));
    }

    public Task<IReadOnlyList<FactoryEvent>> LatestReceivedAsync(EventFilter filter, int limit, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<FactoryEvent>>(Filter(filter).OrderByDescending(e => e.Id).Take(limit).ToList());

    public async IAsyncEnumerable<FactoryEvent> StreamAsync(EventFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var e in Filter(filter).OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id).ToList())
        {
            await Task.Yield();
            yield return e;
        }
    }

    public Task<IReadOnlyList<WorkerPresence>> WorkersAtStationAsync(string workstationId, DateTime start, DateTime end, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<WorkerPresence>>(Events.Where(e => e.WorkstationId == workstationId && e.Timestamp >= start && e.Timestamp < end)
            .GroupBy(e => e.WorkerId).Select(g => new WorkerPresence(g.Key, g.Count(), g.Max(e => e.Timestamp))).ToList());

    public Task<FactoryEvent?> FindAsync(long id, CancellationToken ct = default) => Task.FromResult(Events.FirstOrDefault(e => e.Id == id));

    private IEnumerable<FactoryEvent> Filter(EventFilter f) => Events.Where(f.Matches);
}
