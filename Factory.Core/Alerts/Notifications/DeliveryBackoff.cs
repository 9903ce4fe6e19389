namespace Factory.Core.Alerts.Notifications;

/// <summary>Exponential backoff of the outbox: the first retry after <c>first</c>, doubling, never longer than <c>max</c>.</summary>
public static class DeliveryBackoff
{
    /// <summary>The wait after the <paramref name="attempts"/>-th failed attempt (1-based).</summary>
    public static TimeSpan After(int attempts, TimeSpan first, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var wait = first.TotalMilliseconds * factor;
        return wait >= max.TotalMilliseconds ? max : TimeSpan.FromMilliseconds(wait);
    }
}
