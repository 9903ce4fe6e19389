using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Factory.Core.DataQuality;

/// <summary>
/// How many events of one camera were answered as duplicates, or rejected for one reason, in one hour of
/// receipt. Each instance adds its increments to the row, so the counts of a scaled-out deployment add up.
/// </summary>
public sealed class IngestionQualityCount
{
    /// <summary>Start of the UTC hour in which the events were received.</summary>
    public DateTime HourStart { get; set; }

    /// <summary>The camera, or a placeholder (<see cref="QualityCameras"/>) when it is missing or unusable.</summary>
    public required string CameraId { get; set; }

    /// <summary><see cref="IngestionOutcomes.Duplicate"/> or <see cref="IngestionOutcomes.Rejected"/>.</summary>
    public required string Outcome { get; set; }

    /// <summary>For rejects, the category (<see cref="Events.RejectReasons"/>); empty for duplicates.</summary>
    public required string Reason { get; set; }

    public long Count { get; set; }
}

/// <summary>The counted answers of ingestion besides "stored".</summary>
public static class IngestionOutcomes
{
    public const string Duplicate = "duplicate";
    public const string Rejected = "rejected";
}

internal sealed class IngestionQualityCountConfiguration : IEntityTypeConfiguration<IngestionQualityCount>
{
    public void Configure(EntityTypeBuilder<IngestionQualityCount> e)
    {
        e.ToTable("ingestion_quality");
        // Hour first: both the window query and the retention delete are hour ranges.
        e.HasKey(x => new { x.HourStart, x.CameraId, x.Outcome, x.Reason }).HasName("pk_ingestion_quality");
        e.Property(x => x.HourStart).HasColumnName("hour_start");
        e.Property(x => x.CameraId).HasColumnName("camera_id").HasMaxLength(64);
        e.Property(x => x.Outcome).HasColumnName("outcome").HasMaxLength(16);
        e.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(32);
        e.Property(x => x.Count).HasColumnName("count");
    }
}
