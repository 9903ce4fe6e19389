using Factory.Core.Data;
using Factory.Web.Extensions;
using Factory.Web.Security;
using Prometheus;
using Serilog;

if (args is ["hash-key", var key])
{
    Environment.ExitCode = KeyStrength.HashKeyCommand(key, Console.Out, Console.Error);
    return;
}

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddFactoryLogging(builder.Configuration, builder.Environment);
builder.Services.AddFactoryCore(builder.Configuration, builder.Environment);
builder.Services.AddFactoryWeb(builder.Configuration);
builder.Services.AddFactorySecurity(builder.Configuration, builder.Environment);
builder.Services.AddFactoryScaleOut(builder.Configuration);
builder.Services.AddFactoryMqtt(builder.Configuration);
builder.Services.AddFactoryDashboard();

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
}

app.UseForwardedHeadersFromConfiguration();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSerilogRequestLogging();
app.UseHttpMetrics();
app.UseSecurityHeaders();
app.UseCors();
app.UseFailedKeyGuard();
app.UseAuthentication();
app.UseCookieWriteGuard();
app.UseAuthorization();
app.UseRateLimiter();
app.UseCircuitLimits();

app.MapOperations();
app.MapFactoryEndpoints();
app.MapFactoryDashboard();

app.Run();
