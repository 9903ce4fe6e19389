using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Factory.Core.Metrics;
using Microsoft.AspNetCore.Components;

namespace Factory.Web.Dashboard;

/// <summary>
/// The utilization line and the units bars of a timeseries as finished SVG markup, drawn with MudBlazor's chart
/// geometry and classes. Drawn once per series object: wall screens showing the same shared figures
/// (<see cref="SharedFigures"/>) reference one string instead of each circuit holding the render tree of two chart
/// components (hundreds of frames each).
/// </summary>
public sealed class TrendChartMarkup
{
    private const double Left = 30;
    private const double Right = 670;
    private const double Top = 25;
    private const double Bottom = 320;
    private const int MaxLabels = 8;

    private static readonly ConditionalWeakTable<IReadOnlyList<TimeseriesBucket>, TrendChartMarkup> Drawn = [];

    private TrendChartMarkup(IReadOnlyList<TimeseriesBucket> buckets, BucketSize size)
    {
        Size = size;
        var labels = buckets.Select(b => b.LocalStart.ToString(size == BucketSize.Day ? "ddd dd" : "HH:mm", CultureInfo.InvariantCulture)).ToArray();
        var unit = size == BucketSize.Day ? "day" : "hour";
        HasTrackedTime = buckets.Any(b => b.WorkingHours + b.IdleHours + b.AbsentHours != 0);
        HasUnits = buckets.Any(b => b.Units != 0);
        UtilizationLabel = $"Utilization per {unit}, from {labels.FirstOrDefault()} to {labels.LastOrDefault()}";
        UnitsLabel = $"Units per {unit}";
        var step = Math.Max(1, (int)Math.Ceiling(labels.Length / (double)MaxLabels));
        var shown = labels.Select((l, i) => i % step == 0 ? l : null).ToArray();
        Utilization = HasTrackedTime ? Line(buckets.Select(b => Math.Round(b.UtilizationPercentage, 1)).ToArray(), shown) : default;
        Units = HasUnits ? Bars(buckets.Select(b => (double)b.Units).ToArray(), shown) : default;
    }

    /// <summary>The bucket size the labels were drawn for.</summary>
    public BucketSize Size { get; }

    public bool HasTrackedTime { get; }

    public bool HasUnits { get; }

    /// <summary>The chart's accessible name (what it shows and its first and last bucket).</summary>
    public string UtilizationLabel { get; }

    public string UnitsLabel { get; }

    /// <summary>The utilization line (0–100 %), or empty when no time was tracked.</summary>
    public MarkupString Utilization { get; }

    /// <summary>The units bars, or empty when there are no units.</summary>
    public MarkupString Units { get; }

    /// <summary>The markup of <paramref name="buckets"/>, drawn on first use and kept as long as the series is.</summary>
    public static TrendChartMarkup For(IReadOnlyList<TimeseriesBucket> buckets, BucketSize size)
    {
        var drawn = Drawn.GetValue(buckets, b => new TrendChartMarkup(b, size));
        if (drawn.Size != size)
        {
            drawn = new TrendChartMarkup(buckets, size);
            Drawn.AddOrUpdate(buckets, drawn);
        }

        return drawn;
    }

    private static MarkupString Line(double[] values, string?[] labels)
    {
        var max = Math.Max(100, Math.Ceiling(values.DefaultIfEmpty(0).Max() / 25) * 25);
        var svg = Open("line");
        Grid(svg, max, 25);
        XLabels(svg, labels, i => X(i, values.Length));
        svg.Append("<g class=\"mud-charts-line-series\"><path class=\"mud-chart-serie mud-chart-line\" fill=\"none\" stroke=\"#ffb74d\" stroke-opacity=\"1\" stroke-width=\"3\" d=\"");
        for (var i = 0; i < values.Length; i++)
        {
            svg.Append(i == 0 ? "M " : " L ").Append(Number(X(i, values.Length))).Append(' ').Append(Number(Y(values[i], max)));
        }

        svg.Append("\"></path></g>");
        return Close(svg);
    }

    private static MarkupString Bars(double[] values, string?[] labels)
    {
        var step = NiceStep(values.DefaultIfEmpty(0).Max() / 4);
        var max = Math.Max(step, Math.Ceiling(values.DefaultIfEmpty(0).Max() / step) * step);
        var width = (Right - Left) / Math.Max(1, values.Length);
        var svg = Open("bar");
        Grid(svg, max, step);
        XLabels(svg, labels, i => Left + (i + 0.5) * width);
        svg.Append("<g class=\"mud-charts-bar-series\">");
        for (var i = 0; i < values.Length; i++)
        {
            var x = Number(Left + (i + 0.5) * width);
            svg.Append("<path class=\"mud-chart-bar\" fill=\"#64b5f6\" stroke=\"#64b5f6\" stroke-width=\"6\" d=\"M ")
                .Append(x).Append(' ').Append(Number(Bottom)).Append(" L ").Append(x).Append(' ').Append(Number(Y(values[i], max))).Append("\"></path>");
        }

        svg.Append("</g>");
        return Close(svg);
    }

    private static StringBuilder Open(string kind) => new StringBuilder()
        .Append("<div class=\"mud-chart mud-chart-legend-bottom\" style=\"width: 100%; height: 240px;\" dir=\"ltr\">")
        .Append("<svg class=\"mud-chart-").Append(kind).Append(" mud-ltr\" width=\"100%\" height=\"240px\" viewBox=\"0 0 700 350\">");

    private static MarkupString Close(StringBuilder svg) => new(svg.Append("</svg></div>").ToString());

    /// <summary>Horizontal grid lines and their labels from 0 to <paramref name="max"/> every <paramref name="step"/>.</summary>
    private static void Grid(StringBuilder svg, double max, double step)
    {
        var ticks = (int)Math.Round(max / step);
        svg.Append("<g class=\"mud-charts-grid\"><g class=\"mud-charts-gridlines-yaxis\">");
        for (var t = 0; t <= ticks; t++)
        {
            var y = Number(Y(t * step, max));
            svg.Append("<path stroke=\"#e0e0e0\" stroke-width=\"0.3\" d=\"M ").Append(Number(Left)).Append(' ').Append(y)
                .Append(" L ").Append(Number(Right)).Append(' ').Append(y).Append("\"></path>");
        }

        svg.Append("</g></g><g class=\"mud-charts-yaxis\">");
        for (var t = 0; t <= ticks; t++)
        {
            svg.Append("<text x=\"20\" y=\"").Append(Number(Y(t * step, max) + 5)).Append("\" font-size=\"12px\" text-anchor=\"end\">")
                .Append(Number(t * step)).Append("</text>");
        }

        svg.Append("</g>");
    }

    private static void XLabels(StringBuilder svg, string?[] labels, Func<int, double> x)
    {
        svg.Append("<g class=\"mud-charts-xaxis\">");
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] is { } label)
            {
                svg.Append("<text x=\"").Append(Number(x(i))).Append("\" y=\"340\" font-size=\"12px\" text-anchor=\"middle\" dominant-baseline=\"middle\">")
                    .Append(WebUtility.HtmlEncode(label)).Append("</text>");
            }
        }

        svg.Append("</g>");
    }

    private static double X(int i, int count) => count <= 1 ? (Left + Right) / 2 : Left + i * (Right - Left) / (count - 1);

    private static double Y(double value, double max) => Bottom - Math.Clamp(value / max, 0, 1) * (Bottom - Top);

    /// <summary>1, 2, 2.5 or 5 times a power of ten, at least <paramref name="rough"/> (and at least 1: units are whole).</summary>
    private static double NiceStep(double rough)
    {
        if (rough <= 1)
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (var factor in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (factor * power >= rough)
            {
                return factor * power;
            }
        }

        return 10 * power;
    }

    private static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
