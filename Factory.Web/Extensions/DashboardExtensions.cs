using System.Text.Json;
using Factory.Core.Events;
using Factory.Web.Components;
using Factory.Web.Components.Pages;
using Microsoft.AspNetCore.Http.HttpResults;
using Factory.Web.Dashboard;
using Factory.Web.Hubs;
using Factory.Web.Security;
using Microsoft.AspNetCore.Components.Server.Circuits;
using MudBlazor.Services;

namespace Factory.Web.Extensions;

/// <summary>The live dashboard (Blazor Server + MudBlazor) and the SignalR hub for external clients.</summary>
public static class DashboardExtensions
{
    public static IServiceCollection AddFactoryDashboard(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddMudServices();
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddSingleton<FactoryClock>();
        services.AddSingleton<SharedFigures>();
        services.AddSingleton<EventLog>();
        services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<EventLog>());
        services.AddSingleton<IModelHealthReader, ModelHealthReader>();
        services.AddScoped<ReconnectSignal>();
        services.AddScoped<CircuitHandler>(sp => sp.GetRequiredService<ReconnectSignal>());
        services.AddSingleton<DashboardConnections>();
        services.AddScoped<CircuitHandler, DashboardConnectionCounter>();
        services.AddHostedService<LiveHubBroadcaster>();
        return services;
    }

    public static WebApplication MapFactoryDashboard(this WebApplication app)
    {
        app.UseAntiforgery();
        _ = app.Services.GetRequiredService<DashboardConnections>(); // its gauge is exported from the start
        app.MapStaticAssets();
        var pages = app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        var hub = app.MapHub<LiveHub>(LiveHub.Path);
        app.MapSignIn();

        // Unknown pages get the dashboard's not-found page; the more specific /api fallback keeps its ProblemDetails.
        app.MapFallback(() => new RazorComponentResult<NotFoundDocument> { StatusCode = StatusCodes.Status404NotFound })
            .ExcludeFromDescription();
        if (SecurityExtensions.ViewerRequired(app.Services))
        {
            pages.RequireAuthorization(SecurityExtensions.ViewerPolicy);
            hub.RequireAuthorization(SecurityExtensions.ViewerPolicy);
        }

        return app;
    }
}
