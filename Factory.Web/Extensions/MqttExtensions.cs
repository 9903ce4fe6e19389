using Factory.Core.Mqtt;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Factory.Web.Extensions;

/// <summary>With <c>Mqtt:Enabled</c>: ingestion from the broker, its health check and its counters.</summary>
public static class MqttExtensions
{
    public static IServiceCollection AddFactoryMqtt(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttOptions>().Bind(configuration.GetSection(MqttOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MqttConnectionStatus>();
        if (!configuration.GetValue<bool>($"{MqttOptions.Section}:{nameof(MqttOptions.Enabled)}"))
        {
            return services;
        }

        services.AddSingleton<MqttMetrics>();
        services.AddSingleton<MqttMessageIngestion>();
        // Registered after the single writer, so it stops first: what it queued is still committed and acknowledged.
        services.AddHostedService<MqttIngestionService>();
        services.AddHealthChecks().AddCheck<MqttHealthCheck>("mqtt", tags: ["ready"]);
        return services;
    }
}

/// <summary>
/// The broker connection on <c>/health/ready</c>: Healthy when subscribed, Degraded (still 200) otherwise, with the
/// reason. HTTP ingestion works without the broker, so a lost broker must not take the instance out of a load balancer.
/// </summary>
internal sealed class MqttHealthCheck(MqttConnectionStatus status, IOptions<MqttOptions> options, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var s = status.Current;
        var data = new Dictionary<string, object> { ["state"] = s.State.ToString(), ["broker"] = options.Value.Broker.ToString() };
        return Task.FromResult(s.State switch
        {
            MqttConnectionState.Connected => HealthCheckResult.Healthy($"Subscribed to {options.Value.Subscription} on {s.Broker}", data),
            MqttConnectionState.Disconnected when s.NextAttemptAt is { } next => HealthCheckResult.Degraded(
                $"Not connected to {s.Broker}: {s.LastError}; next attempt in {Math.Max(0, (next - time.GetUtcNow()).TotalSeconds):0.#} s", data: data),
            MqttConnectionState.Disconnected => HealthCheckResult.Degraded($"Not connected to {s.Broker}: {s.LastError}", data: data),
            _ => HealthCheckResult.Degraded($"Connecting to {options.Value.Broker}", data: data),
        });
    }
}
