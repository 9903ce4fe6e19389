using System.Globalization;

namespace Factory.Bench;

/// <summary>Collected latencies with nearest-rank percentiles.</summary>
internal sealed class Latencies
{
    private readonly List<double> _ms = [];

    public int Count
    {
        get
        {
            lock (_ms)
            {
                return _ms.Count;
            }
        }
    }

    public void Add(TimeSpan elapsed)
    {
        lock (_ms)
        {
            _ms.Add(elapsed.TotalMilliseconds);
        }
    }

    public double Percentile(double p)
    {
        lock (_ms)
        {
            if (_ms.Count == 0)
            {
                return double.NaN;
            }

            var sorted = _ms.Order().ToList();
            var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
            return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
        }
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture, $"p50 {Percentile(50):0.00} ms, p95 {Percentile(95):0.00} ms, p99 {Percentile(99):0.00} ms");
}
