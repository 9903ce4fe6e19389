using Factory.Web.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace Factory.Tests.Web;

/// <summary>What a developer sees on a first <c>dotnet run</c>: readable logs and a dashboard that moves.</summary>
public sealed class FirstRunSettingsTests
{
    [Theory]
    [InlineData(null, "Development", false)]
    [InlineData("", "Development", false)]
    [InlineData(null, "Production", true)]
    [InlineData(null, "Testing", true)]
    [InlineData("text", "Production", false)]
    [InlineData("JSON", "Development", true)]
    public void Console_logs_are_text_in_development_and_json_elsewhere_unless_configured(string? format, string environment, bool json) =>
        Assert.Equal(json, LoggingExtensions.UseJson(format, new Environment(environment)));

    [Fact]
    public void An_unknown_console_format_is_refused_at_start_up()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => LoggingExtensions.UseJson("xml", new Environment("Production")));
        Assert.Contains("Logging:ConsoleFormat", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Development_starts_the_simulated_cameras_and_production_does_not()
    {
        Assert.True(Settings("Development").GetValue<bool>("Simulator:Enabled"));
        Assert.False(Settings("Production").GetValue<bool>("Simulator:Enabled"));
    }

    private static IConfiguration Settings(string environment)
    {
        var folder = ContentRoot();
        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(folder, "appsettings.json"))
            .AddJsonFile(Path.Combine(folder, $"appsettings.{environment}.json"), optional: true)
            .Build();
    }

    private static string ContentRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Factory.Web");
            if (File.Exists(Path.Combine(candidate, "appsettings.json")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("Factory.Web/appsettings.json not found above the test output folder.");
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Factory.Web";
        public string ContentRootPath { get; set; } = "";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
