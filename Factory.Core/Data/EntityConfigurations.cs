using Factory.Core.Events;
using Factory.Core.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Factory.Core.Data;

internal sealed class FactoryEventConfiguration : IEntityTypeConfiguration<FactoryEvent>
{
    public void Configure(EntityTypeBuilder<FactoryEvent> e)
    {
        e.ToTable("events");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id");
        e.Property(x => x.Timestamp).HasColumnName("timestamp");
        e.Property(x => x.ReceivedAt).HasColumnName("received_at");
        e.Property(x => x.WorkerId).HasColumnName("worker_id").HasMaxLength(64);
        e.Property(x => x.WorkstationId).HasColumnName("workstation_id").HasMaxLength(64);
        e.Property(x => x.EventType).HasColumnName("event_type");
        e.Property(x => x.Confidence).HasColumnName("confidence");
        e.Property(x => x.Count).HasColumnName("count");
        e.Property(x => x.CameraId).HasColumnName("camera_id").HasMaxLength(64);
        e.Property(x => x.ModelVersion).HasColumnName("model_version").HasMaxLength(64);
        e.Property(x => x.EventId).HasColumnName("event_id").HasMaxLength(64);
        e.Property(x => x.LowConfidence).HasColumnName("low_confidence");

        // The dedup key: the same instant, worker and type is one event, whoever sends it again. Its leading
        // column also serves every time-range scan, so there is no separate index on timestamp to maintain.
        e.HasIndex(x => new { x.Timestamp, x.WorkerId, x.EventType }).IsUnique().HasDatabaseName("ux_events_dedup");
        // event_id is unique per camera, so one camera (key) cannot claim another camera's ids; events without a
        // camera share one namespace. Two partial indexes, because a NULL camera_id would make every row distinct.
        e.HasIndex(x => new { x.CameraId, x.EventId }).IsUnique().HasFilter("camera_id IS NOT NULL AND event_id IS NOT NULL")
            .HasDatabaseName("ux_events_camera_event_id");
        e.HasIndex(x => x.EventId).IsUnique().HasFilter("camera_id IS NULL AND event_id IS NOT NULL")
            .HasDatabaseName("ux_events_event_id_without_camera");
        e.HasIndex(x => new { x.WorkerId, x.Timestamp }).HasDatabaseName("ix_events_worker_time");
        e.HasIndex(x => new { x.WorkstationId, x.Timestamp }).HasDatabaseName("ix_events_workstation_time");
    }
}

internal sealed class WorkerConfiguration : IEntityTypeConfiguration<Worker>
{
    public void Configure(EntityTypeBuilder<Worker> e)
    {
        e.ToTable("workers");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id").HasMaxLength(64);
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(200);
        e.Property(x => x.Shift).HasColumnName("shift").HasMaxLength(64);
        e.Property(x => x.Department).HasColumnName("department").HasMaxLength(64);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.HasData(RegistrySeed.Workers);
    }
}

internal sealed class WorkstationConfiguration : IEntityTypeConfiguration<Workstation>
{
    public void Configure(EntityTypeBuilder<Workstation> e)
    {
        e.ToTable("workstations");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasColumnName("id").HasMaxLength(64);
        e.Property(x => x.Name).HasColumnName("name").HasMaxLength(200);
        e.Property(x => x.Location).HasColumnName("location").HasMaxLength(200);
        e.Property(x => x.Type).HasColumnName("type").HasMaxLength(64);
        e.Property(x => x.Cameras).HasColumnName("cameras").HasMaxLength(1100).HasDefaultValueSql("''")
            .HasConversion(Alerts.NameListConversion.Converter, Alerts.NameListConversion.Comparer);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.HasData(RegistrySeed.Workstations);
    }
}

internal sealed class ModelExclusionConfiguration : IEntityTypeConfiguration<ModelExclusion>
{
    public void Configure(EntityTypeBuilder<ModelExclusion> e)
    {
        e.ToTable("model_exclusions");
        e.HasKey(x => x.ModelVersion);
        e.Property(x => x.ModelVersion).HasColumnName("model_version").HasMaxLength(64);
        e.Property(x => x.CreatedAt).HasColumnName("created_at");
        e.Property(x => x.Reason).HasColumnName("reason").HasMaxLength(500);
    }
}
