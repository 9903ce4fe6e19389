using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Factory.Core.Alerts.Notifications;

/// <summary>
/// Signs webhook bodies: <c>X-Factory-Signature: sha256=&lt;hex of HMAC-SHA256(secret, "&lt;timestamp&gt;.&lt;body&gt;")&gt;</c>
/// with <c>X-Factory-Timestamp: &lt;Unix seconds&gt;</c>. Signing the timestamp with the body lets a receiver refuse an
/// old (replayed) request without a store of seen ids.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Factory-Signature";
    public const string TimestampHeader = "X-Factory-Timestamp";
    public const string DeliveryHeader = "X-Factory-Delivery";
    public const string EventHeader = "X-Factory-Event";

    /// <summary>Requests older or newer than this are refused by <see cref="Verify"/>.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, long unixSeconds, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + "." + body));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>What a receiver does: recompute the signature, compare in constant time, and check the timestamp is recent.</summary>
    public static bool Verify(string secret, string? timestampHeader, string? signatureHeader, string body, DateTimeOffset now)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || signatureHeader is null)
        {
            return false;
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > Tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, seconds, body));
        var given = Encoding.ASCII.GetBytes(signatureHeader);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
