using System.Buffers;
using System.Text.Json;
using Factory.Core.DataQuality;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Retry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.Mqtt;

/// <summary>
/// Turns one MQTT message into stored events, with the rules of the HTTP batch: the same validation, low-confidence
/// flags and data-quality counts, and camera binding by topic (each event's <c>camera_id</c> must be the topic's
/// camera). Knows nothing of the MQTT client: it gets a topic and a payload and says when the events are durable.
/// </summary>
public sealed partial class MqttMessageIngestion
{
    private readonly IngestionService _ingestion;
    private readonly IngestionQualityCounter _quality;
    private readonly IngestionMetrics _counters;
    private readonly MqttMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly MqttTopicFilter _topic;
    private readonly ExponentialBackoff _retry;

    public MqttMessageIngestion(
        IngestionService ingestion, IngestionQualityCounter quality, IngestionMetrics counters, MqttMetrics metrics,
        IOptions<MqttOptions> options, TimeProvider time, ILogger<MqttMessageIngestion> logger)
    {
        _ingestion = ingestion;
        _quality = quality;
        _counters = counters;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _topic = MqttTopicFilter.Parse(options.Value.Topic);
        _retry = new ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 0.2);
    }

    /// <summary>The largest payload taken (<c>Ingestion:MaxBodyBytes</c>).</summary>
    public int MaxPayloadBytes => _ingestion.Options.MaxBodyBytes;

    /// <summary>
    /// Validates the message and queues its valid events for the single writer, in the order messages are received.
    /// Returns once they are queued; <see cref="MqttReceipt.Stored"/> completes when they are committed (retrying
    /// while the database is unavailable), or is cancelled by <paramref name="stopping"/> before that.
    /// </summary>
    public async ValueTask<MqttReceipt> ReceiveAsync(string topic, ReadOnlySequence<byte> payload, CancellationToken stopping)
    {
        _metrics.MessageReceived();
        var camera = _topic.CameraOf(topic);
        if (!MqttTopicFilter.IsValidCamera(camera))
        {
            return Drop(topic, null, MqttMessageRejects.Topic, $"The camera level of the topic is not a camera id (1 to {EventParser.MaxTextLength} characters, no control characters).");
        }

        var limit = _ingestion.Options.MaxBodyBytes;
        if (payload.Length > limit)
        {
            return Drop(topic, camera, MqttMessageRejects.TooLarge, $"The message has {payload.Length} bytes; at most {limit} (Ingestion:MaxBodyBytes) are allowed.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException ex)
        {
            return Drop(topic, camera, MqttMessageRejects.NotJson, $"The message is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            IEnumerable<JsonElement> items;
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    items = [root];
                    break;
                case JsonValueKind.Array when root.GetArrayLength() == 0:
                    return Drop(topic, camera, MqttMessageRejects.Empty, $"The array is empty; send one event object or an array of 1 to {_ingestion.Options.MaxBatchSize}.");
                case JsonValueKind.Array when root.GetArrayLength() > _ingestion.Options.MaxBatchSize:
                    return Drop(topic, camera, MqttMessageRejects.TooMany,
                        $"The message has {root.GetArrayLength()} events; at most {_ingestion.Options.MaxBatchSize} (Ingestion:MaxBatchSize) are allowed per message.");
                case JsonValueKind.Array:
                    items = root.EnumerateArray();
                    break;
                default:
                    return Drop(topic, camera, MqttMessageRejects.WrongShape,
                        $"The message must be one event object or an array of events, not {EventParser.Describe(root.ValueKind)}.");
            }

            var prepared = await _ingestion.PrepareAsync(items, stopping, new HashSet<string>(StringComparer.Ordinal) { camera! },
                $"Must be '{camera}', the camera of the topic {topic}: each camera publishes its own events on its own topic.");
            _metrics.EventsReceived(prepared.Count, prepared.Rejected.Count);
            if (prepared.Rejected.Count > 0)
            {
                LogItemsRejected(topic, prepared.Rejected.Count, prepared.Count, Describe(prepared.Rejected[0]));
            }

            return new MqttReceipt(topic, camera, StoreAsync(topic, prepared, stopping));
        }
    }

    private async Task<MqttMessageOutcome> StoreAsync(string topic, PreparedBatch prepared, CancellationToken stopping)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Not cancelled by stopping: once queued, the write is committed and the message can be acknowledged.
                var result = await _ingestion.StoreAsync(prepared, CancellationToken.None);
                var report = result.Rejected.Count > 0 ? new MqttRejectReport(topic, null, result.Accepted, result.Duplicates, result.Rejected) : null;
                return new MqttMessageOutcome(BatchResponse.From(result), report);
            }
            catch (IngestionUnavailableException ex)
            {
                // Not acknowledged yet, so the broker still holds the message; keep it here and try again rather than
                // wait for a redelivery that only comes with a new connection.
                var delay = _retry.Next(attempt);
                LogStoreRetry(topic, delay.TotalMilliseconds, ex.Message);
                await Task.Delay(delay, _time, stopping);
            }
        }
    }

    private MqttReceipt Drop(string topic, string? camera, string reason, string error)
    {
        LogDropped(topic, reason, error);
        _metrics.MessageRejected(reason);
        _counters.RecordRejected(1);
        _quality.RecordRejected(camera ?? QualityCameras.Invalid, RejectReasons.Validation);
        var report = new MqttRejectReport(topic, error, 0, 0, []);
        return new MqttReceipt(topic, camera, Task.FromResult(new MqttMessageOutcome(null, report)));
    }

    private static string Describe(BatchRejection rejection) =>
        $"item {rejection.Index}: " + string.Join("; ", rejection.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT message on {Topic} dropped ({Reason}): {Error}")]
    private partial void LogDropped(string topic, string reason, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT message on {Topic}: {Rejected} of {Count} events rejected, the rest stored; first: {First}")]
    private partial void LogItemsRejected(string topic, int rejected, int count, string first);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Events of an MQTT message on {Topic} could not be stored ({Error}); retrying in {DelayMs:0} ms, the message stays unacknowledged")]
    private partial void LogStoreRetry(string topic, double delayMs, string error);
}

/// <summary>A received message: its valid events are queued; <see cref="Stored"/> completes once they are committed.</summary>
public sealed record MqttReceipt(string Topic, string? Camera, Task<MqttMessageOutcome> Stored);

/// <summary>What became of a message: the batch answer for its items (null when dropped whole) and, if anything was rejected, the report.</summary>
public sealed record MqttMessageOutcome(BatchResponse? Answer, MqttRejectReport? Report);
