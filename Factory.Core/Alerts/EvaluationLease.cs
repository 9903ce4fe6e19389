using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Core.Alerts;

/// <summary>A named lease in the shared database (table <c>leases</c>): who holds it and until when.</summary>
public sealed class Lease
{
    public required string Name { get; set; }

    /// <summary>The instance holding it; empty when released.</summary>
    public string Owner { get; set; } = "";

    public DateTime ExpiresAt { get; set; }
}

internal sealed class LeaseConfiguration : IEntityTypeConfiguration<Lease>
{
    public void Configure(EntityTypeBuilder<Lease> e)
    {
        e.ToTable("leases");
        e.HasKey(x => x.Name);
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(64);
        e.Property(x => x.Owner).HasColumnName("owner").HasMaxLength(200);
        e.Property(x => x.ExpiresAt).HasColumnName("expires_at");
        e.HasData(new Lease { Name = EvaluationLease.Name, Owner = "", ExpiresAt = DateTime.SpecifyKind(DateTime.UnixEpoch, DateTimeKind.Utc) });
    }
}

/// <summary>
/// The right to evaluate alert rules, so that with several instances on one database exactly one opens, escalates and
/// resolves alerts. The holder renews the lease row every pass or so (<see cref="AlertOptions.LeaseDuration"/>); another
/// instance takes it over once it expired (a crashed holder) or was released (a holder that stopped). Each write of a
/// pass re-checks the lease inside its own transaction (<see cref="FenceAsync"/>), so a holder that stalled past expiry
/// cannot store anything after another instance took over. Time is the injected clock; the instances' clocks must agree
/// to well within the lease duration (NTP).
/// </summary>
public sealed class EvaluationLease(IServiceScopeFactory scopes, TimeProvider time, IOptions<AlertOptions> options)
{
    public const string Name = "alerts";

    private long _heldUntilTicks;

    /// <summary>This instance's name in the lease row: host, process and a random part (two hosts in one process differ).</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>True while this instance holds the lease by its last renewal (no I/O).</summary>
    public bool IsHeld => time.GetUtcNow().UtcDateTime.Ticks < Interlocked.Read(ref _heldUntilTicks);

    /// <summary>
    /// Renews the lease when this instance holds it and half of it has run out (or <paramref name="force"/>), or takes it
    /// when it has expired or was released. Returns whether it is held now and whether it was just taken (then what
    /// this instance remembered of alerts may be stale).
    /// </summary>
    public async Task<(bool Held, bool Taken)> RenewAsync(bool force, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var duration = options.Value.LeaseDuration;
        var heldUntil = Interlocked.Read(ref _heldUntilTicks);
        var held = now.Ticks < heldUntil;
        if (held && !force && heldUntil - now.Ticks > duration.Ticks / 2)
        {
            return (true, false);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        if (!held)
        {
            // A read first: an instance waiting for the lease does not take SQLite's write lock every few seconds.
            var row = await db.Set<Lease>().AsNoTracking().FirstOrDefaultAsync(l => l.Name == Name, ct);
            if (row is null)
            {
                db.Set<Lease>().Add(new Lease { Name = Name, Owner = "", ExpiresAt = DateTime.SpecifyKind(DateTime.UnixEpoch, DateTimeKind.Utc) });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    // Another instance made the row at the same moment; the update below decides.
                }
            }
            else if (row.Owner != Owner && row.ExpiresAt > now)
            {
                Interlocked.Exchange(ref _heldUntilTicks, 0);
                return (false, false);
            }
        }

        var until = now + duration;
        var rows = await db.Set<Lease>()
            .Where(l => l.Name == Name && (l.Owner == Owner || l.ExpiresAt <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, Owner).SetProperty(l => l.ExpiresAt, until), ct);
        Interlocked.Exchange(ref _heldUntilTicks, rows == 1 ? until.Ticks : 0);
        return (rows == 1, rows == 1 && !held);
    }

    /// <summary>
    /// Inside the caller's transaction: extends the lease if this instance still holds it (its row is then locked until
    /// the transaction ends, so no other instance can take it over meanwhile) and returns the new expiry, to pass to
    /// <see cref="Extended"/> once committed. Null: the lease is lost and the writes must not be stored.
    /// </summary>
    public async Task<DateTime?> FenceAsync(FactoryDbContext db, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = now + options.Value.LeaseDuration;
        var rows = await db.Set<Lease>()
            .Where(l => l.Name == Name && l.Owner == Owner && l.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, until), ct);
        if (rows != 1)
        {
            Interlocked.Exchange(ref _heldUntilTicks, 0);
            return null;
        }

        return until;
    }

    /// <summary>Records the expiry a committed <see cref="FenceAsync"/> set.</summary>
    public void Extended(DateTime until) => Interlocked.Exchange(ref _heldUntilTicks, until.Ticks);

    /// <summary>Gives the lease up (at shutdown), so another instance takes over at its next pass instead of after expiry.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _heldUntilTicks, 0) == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var released = DateTime.SpecifyKind(DateTime.UnixEpoch, DateTimeKind.Utc);
        await db.Set<Lease>()
            .Where(l => l.Name == Name && l.Owner == Owner)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, "").SetProperty(l => l.ExpiresAt, released), ct);
    }
}
