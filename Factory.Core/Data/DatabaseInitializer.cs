using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Factory.Core.Data;

/// <summary>Brings the schema up to date at start-up and sets the engine's durable settings.</summary>
public sealed partial class DatabaseInitializer(FactoryDbContext db, DatabaseSettings settings, ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets dashboards read while the writer commits; the mode is stored in the file.
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            LogMigrating(pending.Count, settings.Provider.ToString());
            await db.Database.MigrateAsync(ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} migrations to the {Provider} database")]
    private partial void LogMigrating(int count, string provider);
}
