namespace Factory.Core.Seeding;

/// <summary>Seed the last <see cref="Period"/> up to now, optionally deleting all events first.</summary>
public sealed record SeedRequest(TimeSpan Period, bool ClearExisting);

/// <summary>Where a seeding run is.</summary>
public enum SeedPhase
{
    Clearing,
    Seeding,
    Done,
}

/// <summary>Progress of a seeding run, reported after each batch (for the admin page).</summary>
public sealed record SeedProgress(SeedPhase Phase, long Deleted, int Generated, int Accepted, int Duplicates, int Rejected, double Fraction);

/// <summary>What a seeding run did: events generated, and how ingestion answered them.</summary>
public sealed record SeedResult(
    DateTime From,
    DateTime To,
    long Deleted,
    int Generated,
    int Accepted,
    int Duplicates,
    int Rejected,
    TimeSpan Elapsed);
