using Factory.Core.Data;
using Factory.Core.Ingestion;
using Factory.Core.Live;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Factory.Web.Live;

/// <summary>
/// Carries committed events between instances through a Redis channel: events stored here are published,
/// events stored by another instance are handed to this instance's commit observers (derived state) and
/// live notifier (dashboards, hub), marked <see cref="EventsCommitted.Remote"/>. Messages are signed with
/// <see cref="RedisOptions.RelaySecret"/> and checked by <see cref="RelayMessages"/> before anything is applied.
/// </summary>
internal sealed partial class RedisLiveRelay(
    IEventNotifier notifier,
    IEnumerable<ICommitObserver> observers,
    IOptions<RedisOptions> options,
    IOptions<RetentionOptions> retention,
    IOptions<IngestionOptions> ingestion,
    RelayMetrics metrics,
    TimeProvider time,
    ILogger<RedisLiveRelay> logger) : IHostedService, IAsyncDisposable
{
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly RelayMessages _messages = new(
        RelayMessages.SecretBytes(options.Value.RelaySecret ?? RedisOptions.DevelopmentRelaySecret), time,
        options.Value.RelayMaxAge, retention.Value.Period, ingestion.Value.MaxClockSkew);

    private long _sequence;
    private int _disposed;
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

        var envelope = new RelayEnvelope(_instance, Interlocked.Increment(ref _sequence), committed.CommittedAt, committed.Events.Select(RelayEvent.From).ToList());
        try
        {
            await _redis.GetSubscriber().PublishAsync(_channel, _messages.Seal(envelope));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The events are stored; only other instances' live views lag until Redis is back.
            LogPublishFailed(ex, committed.Events.Count);
        }
    }

    private void OnMessage(RedisValue message)
    {
        if (message.IsNullOrEmpty)
        {
            return;
        }

        var envelope = _messages.Open((byte[])message!, out var rejection);
        if (envelope is null)
        {
            metrics.RecordRejected(rejection!);
            LogRejected(rejection!);
            return;
        }

        if (envelope.Instance == _instance)
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

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as itself and as a hosted service: the container disposes it under both.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a live relay message from Redis ({Reason})")]
    private partial void LogRejected(string reason);
}
