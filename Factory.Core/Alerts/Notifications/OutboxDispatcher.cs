using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.Alerts.Notifications;

/// <summary>
/// Sends the outbox: due pending deliveries are tried one by one, each outcome is stored at once (delivered; or the
/// attempt count, the error and the next attempt after an exponential backoff; or failed after the last attempt).
/// Deliveries live in the database, so a restart loses none; the evaluator and ingestion never wait for a target.
/// Every instance runs a dispatcher: an attempt is first claimed with a conditional update that moves the row's next
/// attempt past the attempt's timeout, so two instances never send the same delivery at once, and a delivery whose
/// sender died mid-attempt is tried again once the claim ran out.
/// </summary>
public sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopes,
    AlertService alerts,
    NotificationSender sender,
    TimeProvider time,
    IOptions<AlertOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int Batch = 20;

    /// <summary>Added to the attempt timeout in a claim, so that a slow attempt finishes before anyone else may retry it.</summary>
    private static readonly TimeSpan ClaimMargin = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _wake = new(0);
    private long _attempts;

    /// <summary>Attempts made since start (tests wait on it).</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        alerts.DeliveriesQueued += Wake;
        Task? wake = null;
        Task? poll = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    while (await SendDueAsync(stoppingToken) == Batch)
                    {
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(ex);
                }

                wake ??= _wake.WaitAsync(stoppingToken);
                poll ??= Task.Delay(options.Value.Delivery.PollEvery, time, stoppingToken);
                var done = await Task.WhenAny(wake, poll);
                if (done == wake)
                {
                    wake = null;
                }
                else
                {
                    poll = null;
                }

                if (done.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            alerts.DeliveriesQueued -= Wake;
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    /// <summary>Tries the due deliveries (at most one batch) and returns how many were tried.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var settings = options.Value.Delivery;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var due = await db.AlertDeliveries
            .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id)
            .Take(Batch).ToListAsync(ct);
        foreach (var delivery in due)
        {
            var claimedUntil = time.GetUtcNow().UtcDateTime + settings.Timeout + ClaimMargin;
            var seen = delivery.NextAttemptAt;
            var claimed = await db.AlertDeliveries
                .Where(d => d.Id == delivery.Id && d.Status == DeliveryStatus.Pending && d.NextAttemptAt == seen)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, claimedUntil), ct);
            if (claimed == 0)
            {
                continue; // another instance took it
            }

            delivery.NextAttemptAt = claimedUntil;
            delivery.Attempts++;
            Interlocked.Increment(ref _attempts);
            try
            {
                await sender.SendAsync(delivery, ct);
                delivery.Status = DeliveryStatus.Delivered;
                delivery.DeliveredAt = time.GetUtcNow().UtcDateTime;
                delivery.LastError = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                var error = ex.GetBaseException().Message;
                delivery.LastError = error.Length > 1000 ? error[..1000] : error;
                if (delivery.Attempts >= settings.MaxAttempts)
                {
                    delivery.Status = DeliveryStatus.Failed;
                    LogGaveUp(delivery.Id, delivery.Target, delivery.Attempts, error);
                }
                else
                {
                    delivery.NextAttemptAt = time.GetUtcNow().UtcDateTime + DeliveryBackoff.After(delivery.Attempts, settings.FirstRetry, settings.MaxRetry);
                    LogRetry(delivery.Id, delivery.Target, delivery.Attempts, error, delivery.NextAttemptAt);
                }
            }

            await db.SaveChangesAsync(CancellationToken.None);
        }

        return due.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert delivery {Id} to {Target} failed (attempt {Attempts}): {Error}; next attempt at {Next:o}")]
    private partial void LogRetry(long id, string target, int attempts, string error, DateTime next);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert delivery {Id} to {Target} failed {Attempts} times and was given up: {Error}")]
    private partial void LogGaveUp(long id, string target, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending the alert outbox failed; it will be retried")]
    private partial void LogFailed(Exception ex);
}
