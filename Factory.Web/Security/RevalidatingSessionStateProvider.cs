using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace Factory.Web.Security;

/// <summary>
/// An open dashboard keeps the user it was opened with for as long as it runs; every
/// <see cref="AuthOptions.RevalidateEvery"/> that user is checked again (<see cref="Sessions.Check"/>), so removing a key
/// from the configuration or reaching the session's lifetime signs the dashboard out without a reload.
/// </summary>
internal sealed partial class RevalidatingSessionStateProvider(
    ILoggerFactory loggerFactory,
    Sessions sessions,
    IOptionsMonitor<AuthOptions> auth)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<RevalidatingSessionStateProvider>();

    protected override TimeSpan RevalidationInterval => auth.CurrentValue.RevalidateEvery;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var problem = sessions.Check(authenticationState.User);
        if (problem is not null)
        {
            LogEnded(authenticationState.User.Identity?.Name ?? "(unknown)", problem);
        }

        return Task.FromResult(problem is null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Signed out the dashboard of key {Name}: {Reason}")]
    private partial void LogEnded(string name, string reason);
}
