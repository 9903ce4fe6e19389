using System.Net.Http.Headers;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Factory.Core.Alerts.Notifications;

/// <summary>Sends one stored delivery to its target: a signed webhook POST (generic JSON or Slack) or an email through SMTP.</summary>
public sealed class NotificationSender(IOptions<AlertOptions> options, TimeProvider time) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Throws with a short reason when the target did not accept the delivery.</summary>
    public async Task SendAsync(AlertDelivery delivery, CancellationToken ct)
    {
        if (!options.Value.Targets.TryGetValue(delivery.Target, out var target))
        {
            throw new InvalidOperationException($"The target '{delivery.Target}' is no longer configured (Alerts:Targets).");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Delivery.Timeout);
        try
        {
            if (target.Type == NotificationType.Email)
            {
                await SendEmailAsync(delivery, target, timeout.Token);
            }
            else
            {
                await PostAsync(delivery, target, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer within {options.Value.Delivery.Timeout.TotalSeconds:0} s.");
        }
    }

    private async Task PostAsync(AlertDelivery delivery, NotificationTarget target, CancellationToken ct)
    {
        var body = target.Type == NotificationType.Slack ? AlertPayload.Slack(delivery.Payload) : delivery.Payload;
        var seconds = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(target.Secret ?? "", seconds, body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.EventHeader, AlertNames.Of(delivery.Change));
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"The receiver answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        }
    }

    private async Task SendEmailAsync(AlertDelivery delivery, NotificationTarget target, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        var (subject, text) = AlertPayload.Text(delivery.Payload);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From ?? throw new InvalidOperationException("Alerts:Smtp:From is not set.")));
        foreach (var to in target.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Subject = subject;
        message.Headers.Add("X-Factory-Delivery", delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Body = new TextPart("plain") { Text = text };

        using var client = new SmtpClient();
        var security = smtp.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("Alerts:Smtp:Host is not set."), smtp.Port, security, ct);
        if (!string.IsNullOrEmpty(smtp.Username))
        {
            await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
        }

        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }

    public void Dispose() => _http.Dispose();
}
