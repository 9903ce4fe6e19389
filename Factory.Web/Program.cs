using Factory.Core.Data;
using Factory.Web.Extensions;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSerilog((services, logger) => logger
    .ReadFrom.Configuration(builder.Configuration)
    .ReadFrom.Services(services));
builder.Services.AddFactoryCore(builder.Configuration, builder.Environment);
builder.Services.AddFactoryWeb(builder.Configuration);
builder.Services.AddFactoryDashboard();

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSerilogRequestLogging();

app.MapOperations();
app.MapFactoryEndpoints();
app.MapFactoryDashboard();

app.Run();
