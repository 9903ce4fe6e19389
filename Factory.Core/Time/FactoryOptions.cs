using System.ComponentModel.DataAnnotations;

namespace Factory.Core.Time;

/// <summary>Plant-wide settings (section <c>Factory</c>).</summary>
public sealed class FactoryOptions
{
    public const string Section = "Factory";

    /// <summary>IANA time zone of the plant: day boundaries, chart buckets, shift starts, display.</summary>
    [Required]
    public string TimeZone { get; set; } = "UTC";

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}
