using Factory.Web.Live;

namespace Factory.Web.Extensions;

/// <summary>With <c>Redis:Connection</c> set: the SignalR backplane and the live relay between instances.</summary>
public static class ScaleOutExtensions
{
    public static IServiceCollection AddFactoryScaleOut(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RedisOptions>(configuration.GetSection(RedisOptions.Section));
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
