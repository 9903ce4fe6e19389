using System.ComponentModel.DataAnnotations;

namespace Factory.Core.Data;

/// <summary>How long events are kept (section <c>Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    [Range(1, 3650)]
    public int HotDays { get; set; } = 90;

    /// <summary>How often the retention job runs.</summary>
    public TimeSpan RunEvery { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan Period => TimeSpan.FromDays(HotDays);
}
