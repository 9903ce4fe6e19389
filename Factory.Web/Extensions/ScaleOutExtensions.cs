using Factory.Web.Live;

namespace Factory.Web.Extensions;

/// <summary>With <c>Redis:Connection</c> set: the SignalR backplane and the live relay between instances.</summary>
public static class ScaleOutExtensions
{
    public static IServiceCollection AddFactoryScaleOut(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section))
            .Validate<IHostEnvironment>((o, environment) => string.IsNullOrWhiteSpace(o.Connection) || environment.IsDevelopment() || o.RelaySecret is { Length: >= 16 },
                "Redis:RelaySecret (at least 16 characters, the same on every instance) is required when Redis:Connection is set outside Development.")
            .Validate(o => o.RelayMaxAge > TimeSpan.Zero, "Redis:RelayMaxAge must be positive.")
            .ValidateOnStart();
        services.AddSingleton<RelayMetrics>();
        var connection = configuration[$"{RedisOptions.Section}:Connection"];
        var signalR = services.AddSignalR();
        if (!string.IsNullOrWhiteSpace(connection))
        {
            signalR.AddStackExchangeRedis(connection, o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("factory-signalr"));
            services.AddSingleton<RedisLiveRelay>();
            services.AddHostedService(sp => sp.GetRequiredService<RedisLiveRelay>());
        }

        return services;
    }
}
