using Factory.Core.Metrics;
using Factory.Web.Dashboard;

namespace Factory.Tests.Components;

public sealed class DisplayRulesTests
{
    [Theory]
    [InlineData(93.75, "93.8 %")]
    [InlineData(0, "0.0 %")]
    [InlineData(100, "100.0 %")]
    public void Percentages_have_one_decimal_and_a_unit(double value, string expected) =>
        Assert.Equal(expected, DisplayFormat.Percent(value));

    [Fact]
    public void Rates_are_units_per_hour_with_one_decimal() => Assert.Equal("6.0 u/h", DisplayFormat.Rate(6));

    [Theory]
    [InlineData(7.5, "7 h 30 m")]
    [InlineData(0.75, "45 m")]
    [InlineData(0, "0 m")]
    [InlineData(25.0, "25 h 0 m")]
    public void Durations_read_as_hours_and_minutes(double hours, string expected) =>
        Assert.Equal(expected, DisplayFormat.Hours(hours));

    [Theory]
    [InlineData(49.9, UtilizationBand.Low)]
    [InlineData(50.0, UtilizationBand.Normal)]
    [InlineData(84.9, UtilizationBand.Normal)]
    [InlineData(85.0, UtilizationBand.High)]
    [InlineData(0.0, UtilizationBand.Low)]
    public void Utilization_bands_follow_the_thresholds(double percentage, UtilizationBand expected) =>
        Assert.Equal(expected, UtilizationBands.Of(percentage));

    [Fact]
    public void Status_labels_and_classes_cover_every_status()
    {
        Assert.Equal("Off shift", DisplayFormat.Status(WorkerStatus.OffShift));
        Assert.Equal("state-idle", DisplayFormat.StatusClass(WorkerStatus.Idle));
        Assert.Equal("state-product", DisplayFormat.EventClass(Factory.Core.Events.EventType.ProductCount));
    }
}
