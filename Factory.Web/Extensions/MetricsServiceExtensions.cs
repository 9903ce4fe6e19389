using Factory.Core.Ingestion;
using Factory.Core.Metrics;

namespace Factory.Web.Extensions;

/// <summary>Registers the metrics engine: the in-memory index (fed by the single writer) and the query service.</summary>
public static class MetricsServiceExtensions
{
    public static IServiceCollection AddFactoryMetrics(this IServiceCollection services)
    {
        services.AddSingleton<MetricsIndex>();
        services.AddSingleton<ICommitObserver>(sp => sp.GetRequiredService<MetricsIndex>());
        services.AddSingleton<IEventsClearedObserver>(sp => sp.GetRequiredService<MetricsIndex>());
        services.AddHostedService(sp => sp.GetRequiredService<MetricsIndex>());
        services.AddSingleton<IMetricsService, MetricsService>();
        return services;
    }
}
