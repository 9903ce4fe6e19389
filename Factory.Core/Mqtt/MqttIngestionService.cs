using System.Text.Json;
using Factory.Core.Events;
using Factory.Core.Retry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Factory.Core.Mqtt;

/// <summary>
/// Subscribes to the camera topics (QoS 1) and acknowledges each message only after its events are committed by the
/// single writer, so a crash never loses an acknowledged message: the broker redelivers what was not acknowledged and
/// dedup absorbs what was stored twice. Messages are handed to the writer in the order they arrive and many are in
/// flight at once (up to <see cref="MqttOptions.MaxInFlight"/>), so group commit covers them. The session is persistent
/// (fixed client id, no clean start): messages published while this instance is away wait on the broker. A lost
/// connection is retried with exponential backoff; the state is in <see cref="MqttConnectionStatus"/>.
/// </summary>
public sealed partial class MqttIngestionService : BackgroundService
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly MqttOptions _options;
    private readonly MqttMessageIngestion _messages;
    private readonly MqttConnectionStatus _status;
    private readonly MqttMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MqttTopicFilter _rejects;
    private readonly CancellationTokenSource _stopping = new();
    private IMqttClient? _client;
    private long _generation;
    private Task _lastSettled = Task.CompletedTask;
    private long _connections;

    public MqttIngestionService(
        IOptions<MqttOptions> options, MqttMessageIngestion messages, MqttConnectionStatus status, MqttMetrics metrics,
        TimeProvider time, ILogger<MqttIngestionService> logger)
    {
        _options = options.Value;
        _messages = messages;
        _status = status;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _rejects = MqttTopicFilter.Parse(_options.RejectsTopic);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await using var stopRegistration = stoppingToken.Register(() => _stopping.Cancel());
        var broker = _options.Broker;
        var clientOptions = broker.ClientOptions(_options.EffectiveClientId, _options.Timeout)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)Math.Min(_options.SessionExpiry.TotalSeconds, uint.MaxValue))
            .WithReceiveMaximum((ushort)_options.MaxInFlight)
            // Up to the body limit plus room for the topic and properties; the broker discards anything larger
            // for this client (MQTT 5 Maximum Packet Size) instead of making it hold it in memory.
            .WithMaximumPacketSize((uint)Math.Min((long)uint.MaxValue, _messages.MaxPayloadBytes + 64L * 1024))
            .Build();
        var backoff = new ExponentialBackoff(_options.ReconnectDelay, _options.MaxReconnectDelay, 0.2);
        using var client = new MqttClientFactory().CreateMqttClient();
        _client = client;
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            Report(MqttConnectionState.Connecting, broker, null, null);
            var disconnected = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            Task OnDisconnected(MqttClientDisconnectedEventArgs e)
            {
                if (e.ClientWasConnected)
                {
                    disconnected.TrySetResult(e.Exception?.Message ?? $"the broker closed the connection ({e.Reason})");
                }

                return Task.CompletedTask;
            }

            client.DisconnectedAsync += OnDisconnected;
            string failure;
            try
            {
                var refused = await ConnectAndSubscribeAsync(client, clientOptions, stoppingToken);
                if (refused is null)
                {
                    failures = 0;
                    failure = await ConnectedAsync(client, broker, disconnected.Task, stoppingToken);
                }
                else
                {
                    failure = refused;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failure = $"cannot reach the broker: {ex.GetBaseException().Message}";
            }
            finally
            {
                client.DisconnectedAsync -= OnDisconnected;
                _metrics.Connected(false);
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            var delay = backoff.Next(++failures);
            Report(MqttConnectionState.Disconnected, broker, failure, _time.GetUtcNow() + delay);
            LogDisconnected(broker.ToString(), failure, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await DrainAsync(client);
        Report(MqttConnectionState.Disconnected, broker, "stopped", null);
    }

    /// <summary>Null when connected and subscribed, else why not.</summary>
    private async Task<string?> ConnectAndSubscribeAsync(IMqttClient client, MqttClientOptions clientOptions, CancellationToken ct)
    {
        if (client.IsConnected)
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptions(), ct);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        var connected = await client.ConnectAsync(clientOptions, timeout.Token);
        if (connected.ResultCode != MqttClientConnectResultCode.Success)
        {
            return MqttBroker.Describe(connected.ResultCode) + (MqttBroker.IsConfigurationError(connected.ResultCode) ? "; check Mqtt:Username and Mqtt:Password" : "");
        }

        Interlocked.Increment(ref _generation);
        var subscription = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(_options.Subscription).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();
        var subscribed = await client.SubscribeAsync(subscription, timeout.Token);
        var code = subscribed.Items.FirstOrDefault()?.ResultCode;
        if (code != MqttClientSubscribeResultCode.GrantedQoS1)
        {
            await client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
            return $"the broker did not grant a QoS 1 subscription to {_options.Subscription} ({code?.ToString() ?? "no answer"}); check its access control list";
        }

        return null;
    }

    /// <summary>Runs while connected; returns why the connection ended.</summary>
    private async Task<string> ConnectedAsync(IMqttClient client, MqttBroker broker, Task<string> disconnected, CancellationToken ct)
    {
        Interlocked.Increment(ref _connections);
        Report(MqttConnectionState.Connected, broker, null, null);
        _metrics.Connected(true);
        LogConnected(broker.ToString(), _options.Subscription, _options.EffectiveClientId);
        while (!disconnected.IsCompleted && client.IsConnected)
        {
            // The event says why; the periodic look at IsConnected is a guard should it ever not be raised.
            await Task.WhenAny(disconnected, Task.Delay(TimeSpan.FromSeconds(1), _time, ct));
            ct.ThrowIfCancellationRequested();
        }

        return disconnected.IsCompleted ? await disconnected : "the connection was lost";
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        // Acknowledged once stored (below), never on return from this handler.
        e.AutoAcknowledge = false;
        var generation = Interlocked.Read(ref _generation);
        MqttReceipt receipt;
        try
        {
            receipt = await _messages.ReceiveAsync(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex)
        {
            // Left unacknowledged: the broker delivers it again on the next connection.
            LogMessageFailed(ex, e.ApplicationMessage.Topic);
            return;
        }

        // MQTTnet calls this handler for one message at a time, so the chain needs no lock.
        _lastSettled = SettleAsync(e, receipt, generation, _lastSettled);
    }

    /// <summary>
    /// Acknowledges the message once its events are committed and the message before it is settled (MQTT wants
    /// PUBACKs in the order the messages came), then publishes what was rejected. Never throws.
    /// </summary>
    private async Task SettleAsync(MqttApplicationMessageReceivedEventArgs e, MqttReceipt receipt, long generation, Task previous)
    {
        MqttMessageOutcome outcome;
        try
        {
            outcome = await receipt.Stored;
        }
        catch (OperationCanceledException)
        {
            // Stopped before the events were stored: unacknowledged, so the broker delivers the message again.
            return;
        }

        await previous;

        var client = _client;
        if (client is null || !client.IsConnected || Interlocked.Read(ref _generation) != generation)
        {
            // Received on an earlier connection: the broker redelivers it on this session, and dedup absorbs the repeat.
            LogNotAcknowledged(receipt.Topic);
            return;
        }

        try
        {
            await e.AcknowledgeAsync(CancellationToken.None);
            _metrics.MessageAcknowledged();
        }
        catch (Exception ex)
        {
            LogAcknowledgeFailed(ex, receipt.Topic);
            return;
        }

        if (_options.PublishRejects && outcome.Report is { } report && receipt.Camera is { } camera)
        {
            await PublishRejectsAsync(client, camera, report);
        }
    }

    private async Task PublishRejectsAsync(IMqttClient client, string camera, MqttRejectReport report)
    {
        try
        {
            // At most once: a report is for people and dashboards watching the topic, and never delays ingestion.
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(_rejects.TopicFor(camera))
                .WithPayload(JsonSerializer.SerializeToUtf8Bytes(report, WireJson.Options))
                .WithContentType("application/json")
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtMostOnce)
                .Build();
            await client.PublishAsync(message, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogRejectsNotPublished(ex, _rejects.TopicFor(camera));
        }
    }

    /// <summary>On shutdown: let messages already queued be committed and acknowledged, then leave the broker cleanly.</summary>
    private async Task DrainAsync(IMqttClient client)
    {
        try
        {
            await _lastSettled.WaitAsync(DrainTimeout, _time);
        }
        catch (TimeoutException)
        {
            LogDrainTimedOut();
        }

        if (client.IsConnected)
        {
            try
            {
                // A normal disconnect keeps the session (and what is still unacknowledged) on the broker.
                using var timeout = new CancellationTokenSource(_options.Timeout, _time);
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
            }
            catch (Exception ex)
            {
                LogDisconnectFailed(ex);
            }
        }

        _client = null;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _stopping.Dispose();
        base.Dispose();
    }

    private void Report(MqttConnectionState state, MqttBroker broker, string? error, DateTimeOffset? next) =>
        _status.Set(new MqttConnectionSnapshot(state, broker.ToString(), _time.GetUtcNow(), error, next, Interlocked.Read(ref _connections)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to MQTT broker {Broker}, subscribed to {Subscription} as {ClientId}")]
    private partial void LogConnected(string broker, string subscription, string clientId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not connected to MQTT broker {Broker}: {Reason}; reconnecting in {Delay:0.#} s")]
    private partial void LogDisconnected(string broker, string reason, double delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MQTT message on {Topic} stored but not acknowledged: the connection it came on is gone; the broker redelivers it")]
    private partial void LogNotAcknowledged(string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT message on {Topic} stored but its acknowledgement failed; the broker redelivers it")]
    private partial void LogAcknowledgeFailed(Exception ex, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "MQTT message on {Topic} could not be handled; it stays unacknowledged")]
    private partial void LogMessageFailed(Exception ex, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish rejects to {Topic}")]
    private partial void LogRejectsNotPublished(Exception ex, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT messages were still being stored at shutdown; they stay unacknowledged and are redelivered")]
    private partial void LogDrainTimedOut();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Disconnecting from the MQTT broker failed")]
    private partial void LogDisconnectFailed(Exception ex);
}
