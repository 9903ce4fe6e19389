using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Factory.Tests.Api;

/// <summary><c>Factory.Web hash-key KEY</c>, as an operator runs it to configure <c>Auth:Keys:*:Hash</c>.</summary>
public sealed class HashKeyCommandTests
{
    [Fact]
    public async Task Hash_key_prints_the_lower_case_sha256_hex_of_the_key_and_exits_without_starting_the_server()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)); // 32 random characters
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Factory.Web.dll"), "hash-key", key },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production"; // no keys configured: starting the server would fail
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:1";

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}: {await errors}");
        Assert.Equal(expected, (await output).Trim());
        Assert.Equal(64, expected.Length);
    }
}
