namespace Factory.Web.Dashboard;

/// <summary>Colour bands of a utilization figure: below 50 % amber, 85 % and above green, neutral between.</summary>
public enum UtilizationBand
{
    Low,
    Normal,
    High,
}

public static class UtilizationBands
{
    public const double LowBelow = 50.0;
    public const double HighFrom = 85.0;

    public static UtilizationBand Of(double percentage) =>
        percentage < LowBelow ? UtilizationBand.Low
        : percentage >= HighFrom ? UtilizationBand.High
        : UtilizationBand.Normal;

    public static string CssClass(this UtilizationBand band) => band switch
    {
        UtilizationBand.Low => "util-low",
        UtilizationBand.High => "util-high",
        _ => "util-normal",
    };
}
