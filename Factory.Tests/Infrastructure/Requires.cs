namespace Factory.Tests.Infrastructure;

/// <summary>
/// Infrastructure tests skip with a reason when a server or browser is missing on a developer machine,
/// but fail in CI (<c>CI=true</c>), where <c>.ci/run</c> must have provided it.
/// </summary>
public static class Requires
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (or fails in CI) unless <paramref name="available"/>.</summary>
    public static void That(bool available, string what)
    {
        if (available)
        {
            return;
        }

        if (InCi)
        {
            Assert.Fail($"{what} is required in CI but is not available; .ci/run must provide it.");
        }

        Assert.Skip($"{what} is not available on this machine (it is provided in CI).");
    }
}
