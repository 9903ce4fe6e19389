using Factory.Core.Events;

namespace Factory.Tests.Core.Events;

public sealed class WireTimeTests
{
    private static readonly DateTime Expected = new(2026, 1, 21, 14, 30, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("2026-01-21T14:30:00Z")]
    [InlineData("2026-01-21T14:30:00z")]
    [InlineData("2026-01-21t14:30:00Z")]
    [InlineData("2026-01-21 14:30:00Z")]
    [InlineData("2026-01-21T14:30Z")]
    [InlineData("2026-01-21T16:30:00+02:00")]
    [InlineData("2026-01-21T16:30:00+0200")]
    [InlineData("2026-01-21T09:30:00-05:00")]
    [InlineData("2026-01-22T04:30:00+14:00")]
    [InlineData("2026-01-21T14:30:00.0000000Z")]
    [InlineData("2026-01-21T14:30:00,000Z")]
    public void Instant_with_an_offset_parses_to_utc(string text)
    {
        Assert.True(WireTime.TryParse(text, out var utc, out var error), error);
        Assert.Equal(Expected, utc);
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("2026-01-21T14:30:00.1Z", 1_000_000)]
    [InlineData("2026-01-21T14:30:00.123456Z", 1_234_560)]
    [InlineData("2026-01-21T14:30:00.1234567Z", 1_234_560)]
    [InlineData("2026-01-21T14:30:00.123456789Z", 1_234_560)]
    public void Fraction_is_kept_to_the_microsecond(string text, long ticks)
    {
        Assert.True(WireTime.TryParse(text, out var utc, out _));
        Assert.Equal(Expected.AddTicks(ticks), utc);
    }

    [Theory]
    [InlineData("2026-01-21T14:30:00")]
    [InlineData("2026-01-21 14:30")]
    [InlineData("2026-01-21T14:30:00.500")]
    public void Naive_time_is_rejected_naming_the_offset(string text)
    {
        Assert.False(WireTime.TryParse(text, out _, out var error));
        Assert.Contains("offset", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("2026-01-21")]
    [InlineData("14:30:00Z")]
    [InlineData("2026-02-30T10:00:00Z")]
    [InlineData("2026-13-01T10:00:00Z")]
    [InlineData("2026-01-21T24:00:00Z")]
    [InlineData("2026-01-21T14:60:00Z")]
    [InlineData("2026-01-21T14:30:00+25:00")]
    [InlineData("2026-01-21T14:30:00+15:00")]
    [InlineData("2026-01-21T14:30:00 UTC")]
    [InlineData("1768921140")]
    [InlineData("Wed, 21 Jan 2026 14:30:00 GMT")]
    [InlineData("2026-01-21T14:30:00.1234567890123456789012345678901234567890Z")]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("9999-12-31T23:59:59-01:00")]
    public void Anything_else_is_rejected_with_a_message(string? text)
    {
        Assert.False(WireTime.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("2024-02-29T23:59:59.999999Z")]
    [InlineData("2026-12-31T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    [InlineData("2026-06-30T12:34:56,7Z")]
    [InlineData("2026-01-21T14:30:00.000000001Z")]
    public void Utc_z_form_parses_to_the_same_instant_as_the_explicit_zero_offset(string text)
    {
        // The Z form has its own fast reader; "+00:00" goes through the general parser.
        Assert.True(WireTime.TryParse(text, out var fast, out _));
        Assert.True(WireTime.TryParse(text[..^1] + "+00:00", out var general, out _));
        Assert.Equal(general, fast);
        Assert.Equal(DateTimeKind.Utc, fast.Kind);
    }

    [Theory]
    [InlineData("2025-02-29T10:00:00Z")]
    [InlineData("2026-04-31T10:00:00Z")]
    [InlineData("2026-01-21T14:30:60Z")]
    [InlineData("2026-01-21T14:30:00.Z")]
    [InlineData("2026-01-21T14:30:00.1234567890Z")]
    [InlineData("٢٠٢٦-01-21T14:30:00Z")]
    [InlineData("2026-01-21T14:30:00.12a4Z")]
    public void Invalid_utc_z_forms_are_rejected_with_a_message(string text)
    {
        Assert.False(WireTime.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Format_round_trips_with_a_z()
    {
        var instant = Expected.AddTicks(1_234_560);
        var text = WireTime.Format(instant);
        Assert.Equal("2026-01-21T14:30:00.123456Z", text);
        Assert.True(WireTime.TryParse(text, out var back, out _));
        Assert.Equal(instant, back);
        Assert.Equal("2026-01-21T14:30:00Z", WireTime.Format(Expected));
    }
}
