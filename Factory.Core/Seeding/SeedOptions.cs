using System.ComponentModel.DataAnnotations;

namespace Factory.Core.Seeding;

/// <summary>Demo data (section <c>Seed</c>).</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>Seed an empty database at start-up, so a first run shows a full dashboard.</summary>
    public bool OnEmptyDatabase { get; set; }

    /// <summary>How many hours back the start-up seeding covers.</summary>
    [Range(1, 168)]
    public int HoursOnEmptyDatabase { get; set; } = 24;

    /// <summary>The generator's seed: the same seed gives the same events.</summary>
    public int RandomSeed { get; set; } = 20260121;

    /// <summary>Events per batch handed to ingestion (at most the ingestion batch limit is used).</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 1000;

    /// <summary>Rows deleted per transaction by <c>clear_existing</c>, so ingestion is never blocked for long.</summary>
    [Range(100, 100_000)]
    public int ClearChunkSize { get; set; } = 5000;
}

/// <summary>Simulated cameras that keep posting current events (section <c>Simulator</c>).</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    public bool Enabled { get; set; }

    /// <summary>How often the simulated cameras post what they have seen since the last time.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
}
