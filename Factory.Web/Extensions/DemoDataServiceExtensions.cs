using Factory.Core.Ingestion;
using Factory.Core.ModelHealth;
using Factory.Core.Seeding;

namespace Factory.Web.Extensions;

/// <summary>Demo data: the seeding service, first-run seeding and the simulated cameras.</summary>
public static class DemoDataServiceExtensions
{
    /// <summary>Call after the writer is registered: hosted services start in registration order.</summary>
    public static IServiceCollection AddDemoData(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SeedOptions>().Bind(configuration.GetSection(SeedOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SimulatorOptions>().Bind(configuration.GetSection(SimulatorOptions.Section)).ValidateDataAnnotations()
            .Validate(o => o.Interval >= TimeSpan.FromMilliseconds(100) && o.Interval <= TimeSpan.FromHours(1), "Simulator:Interval must be from 00:00:00.1 to 01:00:00.")
            .ValidateOnStart();
        services.AddSingleton<IEventsClearedObserver, ConfidenceAggregatesReload>();
        services.AddSingleton<DemoDataSeeder>();
        services.AddSingleton<EmptyDatabaseSeeding>();
        services.AddHostedService(sp => sp.GetRequiredService<EmptyDatabaseSeeding>());
        services.AddSingleton<SimulatedCameras>();
        services.AddHostedService(sp => sp.GetRequiredService<SimulatedCameras>());
        return services;
    }
}
