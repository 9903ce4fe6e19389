using System.Globalization;
using MQTTnet;
using MQTTnet.Formatter;

namespace Factory.Core.Mqtt;

/// <summary>Where a broker is and how to sign in; shared by the server's subscriber and the edge client's publisher.</summary>
public sealed record MqttBroker(string Host, int Port, string? Username, string? Password, bool UseTls)
{
    public static int DefaultPort(bool useTls) => useTls ? 8883 : 1883;

    /// <summary>Reads <c>host</c>, <c>host:port</c> or <c>[v6-address]:port</c>.</summary>
    public static bool TryParse(string text, bool useTls, string? username, string? password, out MqttBroker? broker, out string? error)
    {
        broker = null;
        error = $"'{text}' is not a broker address; use host or host:port, e.g. localhost:1883.";
        if (string.IsNullOrWhiteSpace(text) || text.Contains("://", StringComparison.Ordinal))
        {
            return false;
        }

        var host = text;
        var port = DefaultPort(useTls);
        var colon = text.LastIndexOf(':');
        var bracketed = text.StartsWith('[');
        if (colon > 0 && (!bracketed || text.IndexOf(']', StringComparison.Ordinal) < colon) && (bracketed || text.IndexOf(':') == colon))
        {
            if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                error = $"The port of '{text}' must be a number from 1 to 65535.";
                return false;
            }

            host = text[..colon];
        }

        host = host.Trim('[', ']');
        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            return false;
        }

        broker = new MqttBroker(host, port, username, password, useTls);
        error = null;
        return true;
    }

    /// <summary>MQTT 5 client options for this broker; the caller adds what is particular to it (session, limits).</summary>
    public MqttClientOptionsBuilder ClientOptions(string clientId, TimeSpan timeout)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(Host, Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithTimeout(timeout)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15));
        if (!string.IsNullOrEmpty(Username))
        {
            builder = builder.WithCredentials(Username, Password);
        }

        if (UseTls)
        {
            builder = builder.WithTlsOptions(o => o.UseTls().WithTargetHost(Host));
        }

        return builder;
    }

    /// <summary>What a refused connection means, in words an operator can act on.</summary>
    public static string Describe(MqttClientConnectResultCode code) => code switch
    {
        MqttClientConnectResultCode.BadUserNameOrPassword => "the broker refused the user name or password (bad user name or password)",
        MqttClientConnectResultCode.NotAuthorized => "the broker refused the user name, password or client id (not authorized)",
        MqttClientConnectResultCode.ClientIdentifierNotValid => "the broker refused the client id",
        MqttClientConnectResultCode.ServerUnavailable or MqttClientConnectResultCode.ServerBusy => "the broker is unavailable or busy",
        MqttClientConnectResultCode.Banned => "the broker has banned this client",
        _ => $"the broker refused the connection ({code})",
    };

    /// <summary>True for refusals that retrying with the same settings will not fix.</summary>
    public static bool IsConfigurationError(MqttClientConnectResultCode code) => code is MqttClientConnectResultCode.BadUserNameOrPassword
        or MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.ClientIdentifierNotValid or MqttClientConnectResultCode.Banned
        or MqttClientConnectResultCode.BadAuthenticationMethod or MqttClientConnectResultCode.UnsupportedProtocolVersion;

    /// <summary>The address, never the password.</summary>
    public override string ToString() => $"{(UseTls ? "mqtts" : "mqtt")}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}
