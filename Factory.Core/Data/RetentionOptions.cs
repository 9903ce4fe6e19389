using System.ComponentModel.DataAnnotations;

namespace Factory.Core.Data;

/// <summary>How long events are kept (section <c>Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    [Range(1, 3650)]
    public int HotDays { get; set; } = 90;

    public TimeSpan Period => TimeSpan.FromDays(HotDays);
}
