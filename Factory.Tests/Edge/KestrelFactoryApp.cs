using System.Net;
using System.Net.Sockets;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Factory.Tests.Edge;

/// <summary>
/// The real server listening on a loopback port with the real clock, on a SQLite file that outlives it,
/// so that a test can stop it and start it again on the same port and database, as an operator would.
/// It always uses the embedded engine: what it tests is the edge client, not the storage engine.
/// </summary>
internal sealed class KestrelFactoryApp : FactoryApp
{
    private KestrelFactoryApp(string dataFolder, int port)
        : base(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(Directory.CreateDirectory(dataFolder).FullName, "factory.db"),
                DefaultTimeout = 30,
                Pooling = true,
            }.ToString(),
        })
    {
        Address = new Uri($"http://127.0.0.1:{port}/");
        UseKestrel(port);
    }

    public Uri Address { get; }

    public static KestrelFactoryApp Listen(string dataFolder, int port)
    {
        var app = new KestrelFactoryApp(dataFolder, port);
        app.StartServer();
        return app;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            // Events carry the real time; the server must judge their skew with the real clock too.
            services.RemoveAll<TimeProvider>();
            services.AddSingleton(TimeProvider.System);
        });
    }
}
