using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Factory.Core.Events;

namespace Factory.Web.Live;

/// <summary>
/// The wire format of the live relay: a 32-byte HMAC-SHA256 of the body with <see cref="RedisOptions.RelaySecret"/>,
/// then the body (JSON). <see cref="Open"/> believes a message only when its signature holds, it is newer than the last
/// one seen from its instance and younger than <see cref="RedisOptions.RelayMaxAge"/>, and every event in it would
/// pass ingestion's own rules; anything else is dropped and counted, so a forged or replayed message changes nothing.
/// </summary>
internal sealed class RelayMessages(byte[] secret, TimeProvider time, TimeSpan maxAge, TimeSpan retention, TimeSpan maxClockSkew)
{
    private const int MacLength = 32;

    /// <summary>Instances whose last sequence number is remembered; beyond this the oldest are forgotten.</summary>
    private const int MaxInstances = 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General);

    private readonly Dictionary<string, long> _lastSequence = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public static byte[] SecretBytes(string secret) => Encoding.UTF8.GetBytes(secret);

    public byte[] Seal(RelayEnvelope envelope) => Sign(secret, JsonSerializer.SerializeToUtf8Bytes(envelope, Json));

    /// <summary>The signed form of <paramref name="body"/>.</summary>
    public static byte[] Sign(byte[] secret, byte[] body)
    {
        var message = new byte[MacLength + body.Length];
        HMACSHA256.HashData(secret, body, message.AsSpan(0, MacLength));
        body.CopyTo(message, MacLength);
        return message;
    }

    /// <summary>The envelope when the message is genuine, new and valid; otherwise null and <paramref name="rejection"/> says why.</summary>
    public RelayEnvelope? Open(byte[] message, out string? rejection)
    {
        Span<byte> expected = stackalloc byte[MacLength];
        if (message.Length <= MacLength)
        {
            rejection = RelayRejections.Signature;
            return null;
        }

        HMACSHA256.HashData(secret, message.AsSpan(MacLength), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, message.AsSpan(0, MacLength)))
        {
            rejection = RelayRejections.Signature;
            return null;
        }

        RelayEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<RelayEnvelope>(message.AsSpan(MacLength), Json);
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope is not { Instance.Length: > 0 and <= 64, Events.Count: > 0 })
        {
            rejection = RelayRejections.Malformed;
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (envelope.CommittedAt < now - maxAge || envelope.CommittedAt > now + maxAge)
        {
            rejection = RelayRejections.Stale;
            return null;
        }

        if (envelope.Events.Any(e => !IsValid(e, now)))
        {
            rejection = RelayRejections.InvalidEvent;
            return null;
        }

        lock (_gate)
        {
            if (_lastSequence.TryGetValue(envelope.Instance, out var last) && envelope.Sequence <= last)
            {
                rejection = RelayRejections.Replay;
                return null;
            }

            if (_lastSequence.Count >= MaxInstances && !_lastSequence.ContainsKey(envelope.Instance))
            {
                _lastSequence.Clear();
            }

            _lastSequence[envelope.Instance] = envelope.Sequence;
        }

        rejection = null;
        return envelope;
    }

    /// <summary>The rules ingestion applied to the event before storing it (the registry aside: it is each instance's cache).</summary>
    private bool IsValid(RelayEvent e, DateTime now)
    {
        var timestamp = e.Ts is >= 0 and <= 3155378975999999999 ? new DateTime(e.Ts, DateTimeKind.Utc) : DateTime.MinValue;
        var received = e.Rcv is >= 0 and <= 3155378975999999999 ? new DateTime(e.Rcv, DateTimeKind.Utc) : DateTime.MinValue;
        return e.Id > 0
            && Text(e.W, required: true) && Text(e.S, required: true) && Text(e.Cam) && Text(e.Mv) && Text(e.Eid)
            && Enum.IsDefined((EventType)e.T)
            && double.IsFinite(e.C) && e.C is >= 0 and <= 1
            && e.N is >= 1 and <= 10_000
            && timestamp >= now - retention && timestamp <= now + maxClockSkew
            && received >= now - retention && received <= now + maxAge;
    }

    private static bool Text(string? value, bool required = false) =>
        value is null ? !required : value.Length is > 0 and <= EventParser.MaxTextLength && !value.Any(char.IsControl);
}

/// <summary>Why a relay message was dropped (the <c>reason</c> of the Prometheus counter).</summary>
internal static class RelayRejections
{
    public const string Signature = "signature";
    public const string Malformed = "malformed";
    public const string Stale = "stale";
    public const string Replay = "replay";
    public const string InvalidEvent = "invalid_event";
}

/// <summary>Counts dropped relay messages for <c>/metrics</c> (<c>factory_relay_messages_rejected_total{reason}</c>).</summary>
public sealed class RelayMetrics : IDisposable
{
    public const string MeterName = "Factory.Relay";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _rejected;
    private long _rejectedTotal;

    public RelayMetrics() => _rejected = _meter.CreateCounter<long>("messages_rejected", "messages", "Live relay messages dropped: forged, replayed, stale or invalid");

    /// <summary>Messages this instance dropped since it started.</summary>
    public long Rejected => Interlocked.Read(ref _rejectedTotal);

    public void RecordRejected(string reason)
    {
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
        Interlocked.Increment(ref _rejectedTotal);
    }

    public void Dispose() => _meter.Dispose();
}

/// <summary>The body of a relay message: the committed events of one instance, numbered per instance.</summary>
internal sealed record RelayEnvelope(string Instance, long Sequence, DateTime CommittedAt, List<RelayEvent> Events);

/// <summary>One stored event on the relay, in short field names.</summary>
internal sealed record RelayEvent(long Id, long Ts, long Rcv, string W, string S, int T, double C, int N, string? Cam, string? Mv, string? Eid, bool Low)
{
    public static RelayEvent From(FactoryEvent e) => new(e.Id, e.Timestamp.Ticks, e.ReceivedAt.Ticks, e.WorkerId, e.WorkstationId, (int)e.EventType,
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
