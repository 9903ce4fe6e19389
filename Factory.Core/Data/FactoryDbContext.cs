using Factory.Core.Events;
using Factory.Core.Registry;
using Factory.Core.Shifts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Factory.Core.Data;

/// <summary>
/// The product's database: events, registry and admin settings. Each engine has a subclass
/// so that it keeps its own migrations (<see cref="SqliteFactoryDbContext"/>, <see cref="PostgresFactoryDbContext"/>).
/// </summary>
public abstract class FactoryDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<FactoryEvent> Events => Set<FactoryEvent>();
    public DbSet<Worker> Workers => Set<Worker>();
    public DbSet<Workstation> Workstations => Set<Workstation>();
    public DbSet<ModelExclusion> ModelExclusions => Set<ModelExclusion>();
    public DbSet<DataQuality.IngestionQualityCount> IngestionQuality => Set<DataQuality.IngestionQualityCount>();
    public DbSet<ShiftCalendarSettings> ShiftCalendarSettings => Set<ShiftCalendarSettings>();
    public DbSet<StoredShift> Shifts => Set<StoredShift>();
    public DbSet<StoredBreak> ShiftBreaks => Set<StoredBreak>();
    public DbSet<Alerts.AlertRule> AlertRules => Set<Alerts.AlertRule>();
    public DbSet<Alerts.AlertRecord> Alerts => Set<Alerts.AlertRecord>();
    public DbSet<Alerts.AlertDelivery> AlertDeliveries => Set<Alerts.AlertDelivery>();
    public DbSet<Alerts.Lease> Leases => Set<Alerts.Lease>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(FactoryDbContext).Assembly);
        if (Database.IsNpgsql())
        {
            // Events arrive roughly in time order, so a BRIN index answers time-range scans over years of
            // history at a fraction of a B-tree's size; the B-tree stays for newest-first paging.
            modelBuilder.Entity<FactoryEvent>().HasIndex(e => e.Timestamp, "ix_events_time_brin").HasMethod("brin");

            // The default alert rules are seeded with ids 1–7; rules added later take ids after them.
            modelBuilder.Entity<Alerts.AlertRule>().Property(r => r.Id).HasIdentityOptions(startValue: 100);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type and EF evaluates DateTimeOffset comparisons on the client there:
        // store instants as UTC ticks so range queries run in the database on an integer index.
        if (Database.IsSqlite())
        {
            configurationBuilder.Properties<DateTime>().HaveConversion<UtcTicksConverter>();
        }
        else
        {
            configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        }
    }
}

/// <summary>UTC <see cref="DateTime"/> stored as ticks.</summary>
public sealed class UtcTicksConverter() : ValueConverter<DateTime, long>(
    v => v.Ticks,
    v => new DateTime(v, DateTimeKind.Utc));

/// <summary>Keeps the UTC kind on values read back from a timestamptz column.</summary>
public sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

/// <summary>The embedded default: a SQLite file in WAL mode.</summary>
public sealed class SqliteFactoryDbContext(DbContextOptions<SqliteFactoryDbContext> options) : FactoryDbContext(options);

/// <summary>The scale-out engine: PostgreSQL through Npgsql.</summary>
public sealed class PostgresFactoryDbContext(DbContextOptions<PostgresFactoryDbContext> options) : FactoryDbContext(options);
