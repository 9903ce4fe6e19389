using Factory.Core.Data;
using Factory.Core.DataQuality;
using Factory.Core.Ingestion;
using Factory.Core.Limits;
using Factory.Core.Live;
using Factory.Core.Metrics;
using Factory.Core.ModelHealth;
using Factory.Core.Registry;
using Factory.Core.Shifts;
using Factory.Core.Time;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Factory.Web.Extensions;

/// <summary>Registers the domain: options, database, registry, the single writer and the live notifier.</summary>
public static class CoreServiceExtensions
{
    public static IServiceCollection AddFactoryCore(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<IngestionOptions>().Bind(configuration.GetSection(IngestionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection(RetentionOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.RunEvery >= TimeSpan.FromSeconds(1) && o.RunEvery <= TimeSpan.FromDays(30), "Retention:RunEvery must be between 00:00:01 and 30.00:00:00.")
            .ValidateOnStart();
        services.AddOptions<FactoryOptions>().Bind(configuration.GetSection(FactoryOptions.Section)).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Factory:TimeZone must be an IANA time-zone id such as Europe/Berlin.")
            .ValidateOnStart();

        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var connectionString = ResolveConnectionString(database, environment);
        services.AddSingleton(new DatabaseSettings(database.Provider, connectionString));

        if (database.Provider == DatabaseProvider.Sqlite)
        {
            services.AddDbContext<FactoryDbContext, SqliteFactoryDbContext>(o => o.UseSqlite(connectionString));
        }
        else
        {
            services.AddDbContext<FactoryDbContext, PostgresFactoryDbContext>(o => o.UseNpgsql(connectionString));
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<IngestionMetrics>();
        services.AddSingleton<RegistryCache>();
        services.AddSingleton<RegistryEditor>();
        services.AddOptions<ShiftOptions>().Bind(configuration.GetSection(ShiftOptions.Section));
        services.AddSingleton<ShiftCalendarStore>();
        services.TryAddSingleton<IShiftCalendarProvider>(sp => sp.GetRequiredService<ShiftCalendarStore>());
        services.AddSingleton<EventNotifier>();
        services.AddSingleton<IEventNotifier>(sp => sp.GetRequiredService<EventNotifier>());
        services.AddSingleton<Func<IEventStore>>(_ => () => new SqlEventStore(database.Provider, connectionString));
        services.AddOptions<DataQualityOptions>().Bind(configuration.GetSection(DataQualityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IngestionQualityCounter>();
        // Registered before the writer so that it stops after it: counts of the writer's final drain are flushed too.
        services.AddHostedService<IngestionQualityFlusher>();
        services.AddSingleton<IDataQualityService, DataQualityService>();
        services.AddSingleton<EventWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<EventWriter>());
        services.AddSingleton<IngestionService>();
        services.AddOptions<ModelHealthOptions>().Bind(configuration.GetSection(ModelHealthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ConfidenceAggregates>();
        services.AddSingleton<ICommitObserver>(sp => sp.GetRequiredService<ConfidenceAggregates>());
        services.AddSingleton<ModelAlertMonitor>();
        services.AddSingleton<ModelHealthService>();
        services.AddSingleton<ModelExclusions>();
        services.AddHostedService<ModelAlertWorker>();
        services.AddScoped<DatabaseInitializer>();
        services.AddFactoryMetrics();
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.MaxWindow is null || (o.MaxWindow >= TimeSpan.FromDays(1) && o.MaxWindow <= TimeSpan.FromDays(3650)), "Limits:MaxWindow must be from 1.00:00:00 to 3650.00:00:00.")
            .ValidateOnStart();
        services.AddSingleton<QueryLimits>();
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        services.AddDemoData(configuration);
        services.AddFactoryAlerts(configuration);
        return services;
    }

    private static string ResolveConnectionString(DatabaseOptions options, IHostEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return options.ConnectionString;
        }

        if (options.Provider != DatabaseProvider.Sqlite)
        {
            throw new InvalidOperationException("Database:ConnectionString is required when Database:Provider is Postgres.");
        }

        var folder = Path.GetFullPath(options.DataFolder, environment.ContentRootPath);
        Directory.CreateDirectory(folder);
        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, "factory.db"),
            DefaultTimeout = 30,
            Pooling = true,
        }.ToString();
    }
}
