using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Factory.Web.Security;

/// <summary>
/// The reverse proxies whose <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are believed (section <c>Proxy</c>). With none
/// configured the headers are ignored: anyone could send them, and per-client limits would count the wrong address.
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>Addresses of trusted proxies, e.g. <c>172.28.0.10</c>.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR notation, e.g. <c>172.28.0.0/24</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

/// <summary>Forwarded headers from the configured proxies only.</summary>
public static class ForwardedHeadersExtensions
{
    public static IServiceCollection AddForwardedHeadersFromConfiguration(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyOptions>().Bind(configuration.GetSection(ProxyOptions.Section))
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "Proxy:KnownProxies must be IP addresses.")
            .Validate(o => o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Proxy:KnownNetworks must be CIDR networks such as 172.28.0.0/24.")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<Microsoft.Extensions.Options.IOptions<ProxyOptions>>((o, proxies) =>
        {
            // The proxy sets the client address and scheme; the Host header it passes through as received.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Value.KnownProxies)
            {
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in proxies.Value.KnownNetworks)
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }

            // One proxy in front: only its own entry (the last) is believed, whatever a client put before it.
            o.ForwardLimit = 1;
        });
        return services;
    }

    /// <summary>First in the pipeline, so logs, limits and cookies see the client's address and scheme.</summary>
    public static IApplicationBuilder UseForwardedHeadersFromConfiguration(this IApplicationBuilder app)
    {
        var proxies = app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ProxyOptions>>().Value;
        return proxies.Any ? app.UseForwardedHeaders() : app;
    }
}
