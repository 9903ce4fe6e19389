using Serilog;
using Serilog.Formatting.Compact;

namespace Factory.Web.Extensions;

/// <summary>
/// Serilog from configuration (levels, overrides, enrichers) with one console sink whose format follows
/// <c>Logging:ConsoleFormat</c>: <c>text</c> (human-readable lines, the default in Development) or <c>json</c>
/// (one rendered compact JSON object per line, the default elsewhere, for log shippers).
/// </summary>
public static class LoggingExtensions
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static IServiceCollection AddFactoryLogging(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var json = UseJson(configuration["Logging:ConsoleFormat"], environment);
        return services.AddSerilog((provider, logger) =>
        {
            logger.ReadFrom.Configuration(configuration).ReadFrom.Services(provider);
            if (json)
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
            else
            {
                logger.WriteTo.Console(outputTemplate: TextTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
        });
    }

    /// <summary>Whether the console gets JSON lines: <c>json</c> or <c>text</c> as configured, else JSON outside Development.</summary>
    internal static bool UseJson(string? format, IHostEnvironment environment) => format?.Trim().ToLowerInvariant() switch
    {
        "json" => true,
        "text" => false,
        null or "" => !environment.IsDevelopment(),
        _ => throw new InvalidOperationException($"Logging:ConsoleFormat must be 'text' or 'json', not '{format}'."),
    };
}
