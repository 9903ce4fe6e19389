using Factory.Core.Seeding;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Factory.Web.Endpoints;

/// <summary>Demo data (admin role): realistic events generated and stored through the normal ingestion path.</summary>
public static class SeedEndpoints
{
    public const int DefaultHoursBack = 24;
    public const int MaxHoursBack = 168;

    public static void MapSeeding(this RouteGroupBuilder admin)
    {
        admin.MapPost("/seed", SeedHoursBack)
            .WithName("Seed")
            .WithSummary("Generate demo data for the last hours_back hours (1–168, default 24)")
            .WithDescription("Events go through the batch ingestion path, so re-running stores no duplicates. clear_existing=true deletes all events first.");

        admin.MapPost("/admin/seed", SeedDay)
            .WithName("SeedDay")
            .WithSummary("Generate 24 hours of realistic demo data")
            .WithDescription("Shifts from 06:00 local (Factory:TimeZone), a slow first half hour, lunch at 13:00, a model upgrade and one camera's confidence drifting. clear_existing=true deletes all events first.");
    }

    internal static async Task<Results<Ok<SeedResponse>, ValidationProblem>> SeedHoursBack(
        string? clear_existing, string? hours_back, DemoDataSeeder seeder, CancellationToken ct)
    {
        var query = new QueryParameters();
        var clear = query.Bool(nameof(clear_existing), clear_existing, false);
        var hours = query.Int(nameof(hours_back), hours_back, DefaultHoursBack, 1, MaxHoursBack);
        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        return TypedResults.Ok(await RunAsync(seeder, hours, clear, ct));
    }

    internal static async Task<Results<Ok<SeedResponse>, ValidationProblem>> SeedDay(
        string? clear_existing, DemoDataSeeder seeder, CancellationToken ct)
    {
        var query = new QueryParameters();
        var clear = query.Bool(nameof(clear_existing), clear_existing, false);
        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        return TypedResults.Ok(await RunAsync(seeder, DefaultHoursBack, clear, ct));
    }

    private static async Task<SeedResponse> RunAsync(DemoDataSeeder seeder, int hours, bool clear, CancellationToken ct)
    {
        var r = await seeder.SeedAsync(new SeedRequest(TimeSpan.FromHours(hours), clear), null, ct);
        var message = $"Generated {r.Generated} events for the last {hours} h: {r.Accepted} stored, {r.Duplicates} already present, {r.Rejected} rejected"
            + (clear ? $"; {r.Deleted} events deleted first." : ".");
        return new SeedResponse(message, r.From, r.To, hours, clear, r.Deleted, r.Generated, r.Accepted, r.Duplicates, r.Rejected,
            (long)Math.Round(r.Elapsed.TotalMilliseconds));
    }
}

/// <summary>What a seeding request did.</summary>
public sealed record SeedResponse(
    string Message,
    DateTime StartTime,
    DateTime EndTime,
    int HoursBack,
    bool ClearExisting,
    long Deleted,
    int Generated,
    int Accepted,
    int Duplicates,
    int Rejected,
    long ElapsedMs);
