using System.Diagnostics;
using Factory.Web.Security;

namespace Factory.Tests.Deployment;

/// <summary>
/// <c>hash-key</c> prints the SHA-256 of a key with at least 128 bits of estimated entropy (length x log2 of the
/// alphabet of the character classes it uses) and refuses weaker keys with a non-zero exit code.
/// </summary>
public sealed class HashKeyCommandTests
{
    [Theory]
    [InlineData("demo-admin-key", 0)]                                   // 14 x log2(26 + 33) = 82
    [InlineData("correcthorsebatterystaple", 0)]                        // 25 x log2(26) = 118
    [InlineData("0123456789abcdef0123456789abcdef", 165)]               // 32 x log2(36): hex of 128 random bits
    [InlineData("Zx9-pQ2_rT7!mK4@wL8#", 131)]                           // 20 x log2(95)
    public void Entropy_is_length_times_log2_of_the_alphabet_of_the_classes_used(string key, int bits)
    {
        var estimate = KeyStrength.EstimateBits(key);
        if (bits == 0)
        {
            Assert.True(estimate < KeyStrength.MinimumBits, $"{key}: {estimate}");
        }
        else
        {
            Assert.Equal(bits, estimate, 0.5);
        }
    }

    [Fact]
    public async Task A_weak_key_is_refused_and_a_strong_one_hashed()
    {
        var weak = await RunAsync("demo-admin-key");
        Assert.Equal(2, weak.ExitCode);
        Assert.Contains("128", weak.Error, StringComparison.Ordinal);
        Assert.Equal("", weak.Output.Trim());

        const string strong = "k9D2-vQ7x_Lm4Rt8-Wz1pN6c-Yh3sB5fG";
        var ok = await RunAsync(strong);
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal(ApiKeyEntry.HashKey(strong), ok.Output.Trim());
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string key)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Factory.Web.dll"), "hash-key", key },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }
}
