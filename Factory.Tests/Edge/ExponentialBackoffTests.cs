using Factory.Core.Retry;

namespace Factory.Tests.Edge;

public sealed class ExponentialBackoffTests
{
    [Fact]
    public void Nominal_delays_double_from_one_second_and_stop_at_five_minutes()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), jitter: 0);

        var delays = Enumerable.Range(1, 12).Select(a => backoff.Next(a).TotalSeconds).ToArray();

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300], delays);
        Assert.Equal(TimeSpan.FromMinutes(5), backoff.Next(1000));
    }

    [Fact]
    public void Jittered_delays_stay_between_eighty_percent_and_the_nominal_delay_and_vary()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), jitter: 0.2, new Random(42));

        foreach (var attempt in new[] { 1, 3, 9, 10, 30 })
        {
            var nominal = backoff.Nominal(attempt);
            var samples = Enumerable.Range(0, 500).Select(_ => backoff.Next(attempt)).ToList();

            Assert.All(samples, d => Assert.InRange(d, nominal * 0.8, nominal));
            Assert.True(samples.Distinct().Count() > 100, $"jitter should spread the delays of attempt {attempt}");
            Assert.True(samples.Min() < nominal * 0.82 && samples.Max() > nominal * 0.98, "jitter should use the whole range");
        }
    }
}
