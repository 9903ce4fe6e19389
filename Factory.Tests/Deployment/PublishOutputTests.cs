using System.Diagnostics;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Deployment;

/// <summary>What <c>dotnet publish</c> (and so the container image) ships: never the Development settings and demo keys.</summary>
public sealed class PublishOutputTests
{
    [Fact]
    public async Task The_published_files_hold_appsettings_json_but_not_the_development_settings()
    {
        var project = Path.Combine(ServerProcess.WebContentRoot(), "Factory.Web.csproj");
        var info = new ProcessStartInfo("dotnet")
        {
            // The publish target's own list of files, computed without building or copying anything.
            ArgumentList = { "msbuild", project, "-nologo", "-t:ComputeResolvedFilesToPublishList", "-getItem:ResolvedFileToPublish", "-p:NoBuild=true" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
        var text = await output;
        Assert.True(process.ExitCode == 0, text + await errors);

        var files = JsonDocument.Parse(text).RootElement.GetProperty("Items").GetProperty("ResolvedFileToPublish")
            .EnumerateArray().Select(f => f.GetProperty("RelativePath").GetString()).ToList();
        Assert.Contains("appsettings.json", files);
        Assert.Contains("Factory.Web.dll", files);
        Assert.DoesNotContain("appsettings.Development.json", files);
    }
}
