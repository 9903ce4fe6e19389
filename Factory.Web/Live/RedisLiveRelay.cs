using System.Text.Json;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Live;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Factory.Web.Live;

/// <summary>
/// Carries committed events between instances through a Redis channel: events stored here are published,
/// events stored by another instance are handed to this instance's commit observers (derived state) and
/// live notifier (dashboards, hub), marked <see cref="EventsCommitted.Remote"/>.
/// </summary>
internal sealed partial class RedisLiveRelay(
    IEventNotifier notifier,
    IEnumerable<ICommitObserver> observers,
    IOptions<RedisOptions> options,
    ILogger<RedisLiveRelay> logger) : IHostedService, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private ConnectionMultiplexer? _redis;
    private IDisposable? _subscription;
    private RedisChannel _channel;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _channel = RedisChannel.Literal(options.Value.ChannelPrefix + ":events");
        var config = ConfigurationOptions.Parse(options.Value.Connection!);
        config.AbortOnConnectFail = false;
        _redis = await ConnectionMultiplexer.ConnectAsync(config);
        _subscription = notifier.Subscribe(PublishAsync);

        // Redis being away must not keep this instance from serving cameras: subscribe in the background
        // and keep trying; until then only other instances' live views lag.
        _ = Task.Run(() => SubscribeUntilDoneAsync(_stopping.Token), CancellationToken.None);
    }

    private readonly CancellationTokenSource _stopping = new();

    private async Task SubscribeUntilDoneAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await _redis!.GetSubscriber().SubscribeAsync(_channel, (_, message) => OnMessage(message));
                LogStarted(_instance);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogSubscribeFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(2), ct).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    private async ValueTask PublishAsync(EventsCommitted committed)
    {
        if (committed.Remote || _redis is null)
        {
            return;
        }

        var envelope = new Envelope(_instance, committed.CommittedAt, committed.Events.Select(WireEvent.From).ToList());
        try
        {
            await _redis.GetSubscriber().PublishAsync(_channel, JsonSerializer.SerializeToUtf8Bytes(envelope, Json));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The events are stored; only other instances' live views lag until Redis is back.
            LogPublishFailed(ex, committed.Events.Count);
        }
    }

    private void OnMessage(RedisValue message)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<Envelope>((byte[])message!, Json);
            if (envelope is null || envelope.Instance == _instance)
            {
                return;
            }

            var events = envelope.Events.Select(e => e.ToEvent()).ToList();
            foreach (var observer in observers)
            {
                observer.OnCommitted(events);
            }

            _ = notifier.PublishAsync(new EventsCommitted(events, envelope.CommittedAt) { Remote = true }).AsTask();
        }
        catch (Exception ex) when (ex is JsonException or InvalidCastException)
        {
            LogBadMessage(ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _subscription?.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live relay through Redis started as instance {Instance}")]
    private partial void LogStarted(string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to the live channel in Redis yet; retrying")]
    private partial void LogSubscribeFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not relay {Count} events to other instances")]
    private partial void LogPublishFailed(Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored an unreadable live message from Redis")]
    private partial void LogBadMessage(Exception ex);

    private sealed record Envelope(string Instance, DateTime CommittedAt, List<WireEvent> Events);

    private sealed record WireEvent(long Id, long Ts, long Rcv, string W, string S, int T, double C, int N, string? Cam, string? Mv, string? Eid, bool Low)
    {
        public static WireEvent From(FactoryEvent e) => new(e.Id, e.Timestamp.Ticks, e.ReceivedAt.Ticks, e.WorkerId, e.WorkstationId, (int)e.EventType,
            e.Confidence, e.Count, e.CameraId, e.ModelVersion, e.EventId, e.LowConfidence);

        public FactoryEvent ToEvent() => new()
        {
            Id = Id,
            Timestamp = new DateTime(Ts, DateTimeKind.Utc),
            ReceivedAt = new DateTime(Rcv, DateTimeKind.Utc),
            WorkerId = W,
            WorkstationId = S,
            EventType = (EventType)T,
            Confidence = C,
            Count = N,
            CameraId = Cam,
            ModelVersion = Mv,
            EventId = Eid,
            LowConfidence = Low,
        };
    }
}
