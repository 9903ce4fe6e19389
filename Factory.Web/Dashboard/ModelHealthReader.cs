using Factory.Core.ModelHealth;

namespace Factory.Web.Dashboard;

/// <summary>The model-health report as the dashboard reads it (a seam so components can be tested without a database).</summary>
public interface IModelHealthReader
{
    Task<ModelHealthReport> GetReportAsync(CancellationToken ct = default);
}

internal sealed class ModelHealthReader(ModelHealthService service) : IModelHealthReader
{
    public Task<ModelHealthReport> GetReportAsync(CancellationToken ct = default) => service.GetReportAsync(ct);
}
