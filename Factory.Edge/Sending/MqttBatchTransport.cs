using System.Text;
using System.Text.Json;
using Factory.Core.Mqtt;
using Factory.Edge.Buffer;
using MQTTnet;
using MQTTnet.Protocol;

namespace Factory.Edge.Sending;

/// <summary>
/// Publishes a batch to the broker with QoS 1: one message per camera (an array of its events) on that camera's
/// topic, e.g. <c>factory/CAM-01/events</c>. An event is settled only by the broker's PUBACK for its message, so
/// what the broker did not take stays buffered. The connection is opened on demand and reopened after a failure.
/// </summary>
public sealed class MqttBatchTransport : IBatchTransport
{
    private readonly MqttBroker _broker;
    private readonly MqttTopicFilter _topic;
    private readonly MqttClientOptions _clientOptions;
    private readonly TimeSpan _timeout;
    private readonly IMqttClient _client;
    private readonly SemaphoreSlim _connecting = new(1, 1);

    public MqttBatchTransport(MqttBroker broker, string topic, TimeSpan timeout)
    {
        _broker = broker;
        _topic = MqttTopicFilter.Parse(topic);
        _timeout = timeout;
        // A publisher needs no session: what the broker has not acknowledged is still in the buffer.
        _clientOptions = broker.ClientOptions("factory-edge-" + Guid.NewGuid().ToString("N")[..12], timeout).WithCleanStart(true).Build();
        _client = new MqttClientFactory().CreateMqttClient();
    }

    public string Peer => "Broker";

    public string Probe => "CONNECT";

    public async Task<Delivery> SendAsync(IReadOnlyList<BufferedEvent> batch, CancellationToken ct)
    {
        if (await ConnectAsync(ct) is { } refused)
        {
            return refused;
        }

        var settled = new List<ItemSettlement>(batch.Count);
        var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            var camera = CameraOf(batch[i].Payload);
            if (!MqttTopicFilter.IsValidCamera(camera))
            {
                settled.Add(new ItemSettlement(i, ItemFate.Rejected, "camera_id: Is required to publish over MQTT (it names the topic), and must be a valid camera id."));
                continue;
            }

            if (!groups.TryGetValue(camera!, out var indexes))
            {
                groups[camera!] = indexes = [];
            }

            indexes.Add(i);
        }

        foreach (var (camera, indexes) in groups)
        {
            var topic = _topic.TopicFor(camera);
            MqttClientPublishResult result;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_timeout);
                result = await _client.PublishAsync(Message(topic, batch, indexes), timeout.Token);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                return Delivery.Of(DeliveryKind.Unreachable, $"publish to {topic} failed: {ex.GetBaseException().Message}", settled);
            }

            switch (result.ReasonCode)
            {
                case MqttClientPublishReasonCode.Success:
                    settled.AddRange(indexes.Select(i => new ItemSettlement(i, ItemFate.Accepted)));
                    break;
                case MqttClientPublishReasonCode.NoMatchingSubscribers:
                    // Nobody would store it: the server has never subscribed (or its session expired). Keep the events.
                    return Delivery.Of(DeliveryKind.Busy, $"no subscriber for {topic}; is MQTT ingestion on at the server (Mqtt:Enabled)?", settled);
                case MqttClientPublishReasonCode.NotAuthorized:
                    return Delivery.Of(DeliveryKind.Refused, $"the broker does not let this client publish to {topic} (check --mqtt-username and the broker's access list)", settled);
                case MqttClientPublishReasonCode.PayloadFormatInvalid or MqttClientPublishReasonCode.TopicNameInvalid when settled.Count == 0:
                    return Delivery.Of(DeliveryKind.Unacceptable, $"the broker refused the message to {topic} ({result.ReasonCode})");
                default:
                    return Delivery.Of(DeliveryKind.Busy, $"the broker answered {result.ReasonCode} for {topic}", settled);
            }
        }

        return Delivery.Of(DeliveryKind.Settled, "", settled);
    }

    public async Task<bool> ProbeAsync(CancellationToken ct) => await ConnectAsync(ct) is null;

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_timeout);
                await _client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Leaving: a connection that cannot be closed cleanly is dropped by the broker after its keep-alive.
            }
        }

        _client.Dispose();
        _connecting.Dispose();
    }

    /// <summary>Null when connected, else the failure as a delivery.</summary>
    private async Task<Delivery?> ConnectAsync(CancellationToken ct)
    {
        if (_client.IsConnected)
        {
            return null;
        }

        await _connecting.WaitAsync(ct);
        try
        {
            if (_client.IsConnected)
            {
                return null;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_timeout);
            var result = await _client.ConnectAsync(_clientOptions, timeout.Token);
            if (result.ResultCode == MqttClientConnectResultCode.Success)
            {
                return null;
            }

            var reason = $"{MqttBroker.Describe(result.ResultCode)} at {_broker}";
            return MqttBroker.IsConfigurationError(result.ResultCode)
                ? Delivery.Of(DeliveryKind.Refused, reason + " (check --mqtt-username and --mqtt-password)")
                : Delivery.Of(DeliveryKind.Busy, reason);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Delivery.Of(DeliveryKind.Unreachable, $"cannot reach {_broker}: {ex.GetBaseException().Message}");
        }
        finally
        {
            _connecting.Release();
        }
    }

    private static MqttApplicationMessage Message(string topic, IReadOnlyList<BufferedEvent> batch, List<int> indexes)
    {
        var payload = new StringBuilder(indexes.Count * 256 + 2).Append('[');
        for (var i = 0; i < indexes.Count; i++)
        {
            if (i > 0)
            {
                payload.Append(',');
            }

            payload.Append(batch[indexes[i]].Payload);
        }

        return new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(payload.Append(']').ToString()))
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
    }

    private static string? CameraOf(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("camera_id", out var camera) && camera.ValueKind == JsonValueKind.String
                ? camera.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
