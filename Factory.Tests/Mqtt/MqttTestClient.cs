using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Factory.Tests.Mqtt;

/// <summary>A camera or a monitor on the test broker: publishes with QoS 1 and keeps what its subscriptions receive.</summary>
internal sealed class MqttTestClient : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options;

    private MqttTestClient(string address, (string User, string Password)? user)
    {
        var parts = address.Split(':');
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture))
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("test-" + Guid.NewGuid().ToString("N")[..12])
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (user is { } u)
        {
            builder = builder.WithCredentials(u.User, u.Password);
        }

        _options = builder.Build();
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Received.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
            return Task.CompletedTask;
        };
    }

    /// <summary>Messages received on subscriptions: topic and text.</summary>
    public ConcurrentQueue<(string Topic, string Payload)> Received { get; } = new();

    public bool IsConnected => _client.IsConnected;

    public static async Task<MqttTestClient> ConnectAsync(string address, (string User, string Password)? user = null)
    {
        var client = new MqttTestClient(address, user);
        await client.ReconnectAsync();
        return client;
    }

    public async Task ReconnectAsync()
    {
        var result = await _client.ConnectAsync(_options);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
    }

    public async Task SubscribeAsync(string filter) =>
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());

    /// <summary>Publishes with QoS 1 and returns the broker's answer (PUBACK).</summary>
    public Task<MqttClientPublishResult> PublishAsync(string topic, string payload, CancellationToken ct = default) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);

    public Task<MqttClientPublishResult> PublishAsync(string topic, object body, CancellationToken ct = default) =>
        PublishAsync(topic, JsonSerializer.Serialize(body), ct);

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync(new MqttClientDisconnectOptions());
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
            }
        }

        _client.Dispose();
    }
}
