using Factory.Core.Alerts;
using Factory.Core.Alerts.Notifications;
using Factory.Core.Ingestion;
using Factory.Web.Alerts;
using Factory.Web.Hubs;

namespace Factory.Web.Extensions;

/// <summary>Registers alert rules, their evaluator (a commit observer), the lifecycle service, the notification outbox and the acknowledge policy.</summary>
public static class AlertServiceExtensions
{
    public static IServiceCollection AddFactoryAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.Section)).ValidateDataAnnotations()
            .Validate(o => !o.Problems().Any(), "Alerts settings are invalid; see the log line above or README, Alerts.")
            .ValidateOnStart();
        services.AddSingleton<AlertEvaluator>();
        services.AddSingleton<ICommitObserver>(sp => sp.GetRequiredService<AlertEvaluator>());
        services.AddSingleton<AlertRuleEditor>();
        services.AddSingleton<EvaluationLease>();
        services.AddSingleton<AlertService>();
        services.AddSingleton<AlertEngine>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEngine>());
        services.AddSingleton<IEventsClearedObserver>(sp => sp.GetRequiredService<AlertEngine>());
        services.AddSingleton<NotificationSender>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<IAlertBoard, AlertBoard>();
        services.AddHostedService<AlertHubBroadcaster>();

        var roles = AlertAcknowledgers.Roles(configuration);
        services.AddAuthorizationBuilder().AddPolicy(AlertAcknowledgers.Policy, p => p.RequireRole(roles));
        return services;
    }
}
