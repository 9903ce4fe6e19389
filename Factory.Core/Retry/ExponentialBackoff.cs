namespace Factory.Core.Retry;

/// <summary>
/// Delays between retries: <c>initial · 2^(attempt−1)</c>, capped at <c>max</c>, then shortened by a random
/// fraction of up to <c>jitter</c> so that many boxes recovering together do not retry in lockstep.
/// The nominal delay is therefore an upper bound: 1 s, 2 s, 4 s … never more than the cap.
/// </summary>
public sealed class ExponentialBackoff
{
    private readonly Random _random;

    public ExponentialBackoff(TimeSpan initial, TimeSpan max, double jitter, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(initial, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, initial);
        ArgumentOutOfRangeException.ThrowIfLessThan(jitter, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jitter, 1);
        Initial = initial;
        Max = max;
        Jitter = jitter;
        _random = random ?? Random.Shared;
    }

    public TimeSpan Initial { get; }

    public TimeSpan Max { get; }

    public double Jitter { get; }

    /// <summary>The delay before retry number <paramref name="attempt"/> (1 for the first retry), without jitter.</summary>
    public TimeSpan Nominal(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        // 2^62 ticks overflows long long before attempt 64; anything past the cap is the cap.
        var exponent = Math.Min(attempt - 1, 40);
        var ticks = Initial.Ticks * Math.Pow(2, exponent);
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The delay to wait before retry number <paramref name="attempt"/>: in <c>((1 − jitter)·nominal, nominal]</c>.</summary>
    public TimeSpan Next(int attempt)
    {
        var nominal = Nominal(attempt);
        if (Jitter == 0)
        {
            return nominal;
        }

        double fraction;
        lock (_random)
        {
            fraction = _random.NextDouble();
        }

        return TimeSpan.FromTicks(nominal.Ticks - (long)(nominal.Ticks * Jitter * fraction));
    }
}
