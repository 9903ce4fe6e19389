using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Factory.Core.Seeding;

/// <summary>
/// First-run experience: when <c>Seed:OnEmptyDatabase</c> is set and no event is stored, seeds the last
/// <c>Seed:HoursOnEmptyDatabase</c> hours in the background once the writer runs, so start-up is not held up.
/// </summary>
public sealed partial class EmptyDatabaseSeeding(
    DemoDataSeeder seeder,
    IServiceScopeFactory scopes,
    IOptions<SeedOptions> options,
    ILogger<EmptyDatabaseSeeding> logger) : BackgroundService
{
    private readonly TaskCompletionSource<SeedResult?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The seeding run's result; <c>null</c> when nothing was seeded (disabled, or the database had events).</summary>
    public Task<SeedResult?> Completion => _completion.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.OnEmptyDatabase)
        {
            _completion.TrySetResult(null);
            return;
        }

        // Leave StartAsync at once: the rest of the host (and the writer this feeds) keeps starting.
        await Task.Yield();
        try
        {
            bool empty;
            await using (var scope = scopes.CreateAsyncScope())
            {
                empty = !await scope.ServiceProvider.GetRequiredService<FactoryDbContext>().Events.AnyAsync(stoppingToken);
            }

            if (!empty)
            {
                _completion.TrySetResult(null);
                return;
            }

            LogSeeding(options.Value.HoursOnEmptyDatabase);
            var result = await seeder.SeedAsync(new SeedRequest(TimeSpan.FromHours(options.Value.HoursOnEmptyDatabase), ClearExisting: false), null, stoppingToken);
            _completion.TrySetResult(result);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(stoppingToken);
        }
        catch (Exception ex)
        {
            // Demo data is a convenience: a failure is logged and the server keeps running.
            LogFailed(ex);
            _completion.TrySetException(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The database has no events: seeding {Hours} h of demo data (Seed:OnEmptyDatabase)")]
    private partial void LogSeeding(int hours);

    [LoggerMessage(Level = LogLevel.Error, Message = "Seeding the empty database failed")]
    private partial void LogFailed(Exception ex);
}
