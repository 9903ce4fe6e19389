using Factory.Edge.Cli;

namespace Factory.Tests.Edge;

public sealed class EdgeCommandLineTests
{
    [Fact]
    public void Every_option_is_parsed_in_both_spellings()
    {
        var settings = EdgeCommandLine.Parse(
            ["--server", "http://127.0.0.1:5000", "--cameras=3", "--rate", "2.5", "--api-key", "k", "--buffer", "b.db",
             "--max-buffer", "500", "--batch-size", "50", "--duration", "90s", "--seed", "4", "--status-every", "1m"],
            out var help, out var error);

        Assert.Null(error);
        Assert.False(help);
        Assert.Equal(new EdgeSettings
        {
            Server = new Uri("http://127.0.0.1:5000/"),
            Cameras = 3,
            Rate = 2.5,
            ApiKey = "k",
            BufferPath = "b.db",
            MaxBuffer = 500,
            BatchSize = 50,
            Duration = TimeSpan.FromSeconds(90),
            Seed = 4,
            StatusEvery = TimeSpan.FromMinutes(1),
        }, settings);
    }

    [Theory]
    [InlineData("--cameras", "7", "--cameras must be a whole number from 1 to 6")]
    [InlineData("--rate", "0", "--rate must be a number")]
    [InlineData("--server", "localhost:5000", "--server must be an http or https address")]
    [InlineData("--duration", "soon", "--duration must be a positive duration")]
    [InlineData("--colour", "red", "Unknown option '--colour'")]
    public void A_bad_value_is_refused_with_a_message_naming_the_option(string option, string value, string message)
    {
        var settings = EdgeCommandLine.Parse([option, value], out _, out var error);

        Assert.Null(settings);
        Assert.StartsWith(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_explains_every_option()
    {
        EdgeCommandLine.Parse(["--help"], out var help, out _);

        Assert.True(help);
        foreach (var option in new[] { "--source", "--server", "--cameras", "--rate", "--api-key", "--buffer", "--max-buffer", "--batch-size", "--duration", "--seed", "--status-every" })
        {
            Assert.Contains(option + " <", EdgeCommandLine.Help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Mqtt_options_name_the_broker_and_tls_changes_the_default_port_wherever_the_flag_stands()
    {
        var plain = EdgeCommandLine.Parse(["--mqtt", "broker.local", "--mqtt-username", "edge", "--mqtt-password", "pw"], out _, out var error);
        var tls = EdgeCommandLine.Parse(["--mqtt", "broker.local", "--mqtt-tls", "--mqtt-topic", "plant/+/events"], out _, out var tlsError);
        var port = EdgeCommandLine.Parse(["--mqtt=10.0.0.5:1999"], out _, out _);
        var bad = EdgeCommandLine.Parse(["--mqtt", "broker:99999"], out _, out var badError);

        Assert.Null(error);
        Assert.Null(tlsError);
        Assert.Equal(new Factory.Core.Mqtt.MqttBroker("broker.local", 1883, "edge", "pw", false), plain!.Broker);
        Assert.Equal(("broker.local", 8883, true, "plant/+/events"), (tls!.Broker!.Host, tls.Broker.Port, tls.Broker.UseTls, tls.MqttTopic));
        Assert.Equal(1999, port!.Broker!.Port);
        Assert.Null(bad);
        Assert.StartsWith("--mqtt: The port of 'broker:99999' must be a number from 1 to 65535", badError, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", plain.Broker!.ToString(), StringComparison.Ordinal);
    }
}
