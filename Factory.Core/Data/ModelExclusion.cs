namespace Factory.Core.Data;

/// <summary>A model version an admin has left out of productivity metrics (a rollback).</summary>
public sealed class ModelExclusion
{
    public required string ModelVersion { get; set; }
    public DateTime CreatedAt { get; set; }
    public string? Reason { get; set; }
}
