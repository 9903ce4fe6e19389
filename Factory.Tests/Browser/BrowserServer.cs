using System.Net;
using System.Net.Sockets;
using Factory.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace Factory.Tests.Browser;

/// <summary>
/// The real server on a loopback Kestrel port (real clock, temporary SQLite, test API keys) and a headless
/// Debian Chromium driven by Playwright. Started once per test class; <see cref="Available"/> is false when
/// no Chromium is installed, and tests then skip (or fail in CI) through <see cref="Requires"/>.
/// </summary>
public class BrowserServer : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private App? _app;
    private IPlaywright? _playwright;

    public static string ChromiumPath => Environment.GetEnvironmentVariable("FACTORY_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public bool Available => File.Exists(ChromiumPath);

    /// <summary>Auth:RequireViewer of the server: off, so pages open without signing in, unless a test class needs it on.</summary>
    protected virtual bool RequireViewer => false;

    public Uri BaseAddress { get; private set; } = default!;

    public IBrowser Browser { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        if (!Available)
        {
            return;
        }

        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _app = new App(RequireViewer);
        _app.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        _app.StartServer();

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>An HTTP client for the API with the given role's key.</summary>
    public HttpClient Api(string role = "admin")
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", FactoryApp.KeyFor(role));
        return client;
    }

    /// <summary>A fresh page of the given width, opened at <paramref name="path"/> and waited on until the circuit is interactive.</summary>
    public async Task<IPage> OpenAsync(string path, int width = 1440, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BaseURL = BaseAddress.ToString(),
            ColorScheme = ColorScheme.Dark,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await page.WaitForSelectorAsync("#app-root[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The application as deployed (real time provider), with its own data folder and the test keys.</summary>
    private sealed class App(bool requireViewer) : WebApplicationFactory<Program>
    {
        private readonly string _dataFolder = Path.Combine(Path.GetTempPath(), "factory-tests", "browser-" + Guid.NewGuid().ToString("N"));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("Database:DataFolder", _dataFolder);
            builder.UseSetting("Seed:OnEmptyDatabase", "false");
            builder.UseSetting("Simulator:Enabled", "false");
            builder.UseSetting("Auth:PermitsPerSecond", "100000");
            builder.UseSetting("Auth:Burst", "100000");
            builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
            builder.UseSetting("Auth:RequireViewer", requireViewer ? "true" : "false");
            string[] roles = ["camera", "viewer", "admin"];
            for (var i = 0; i < roles.Length; i++)
            {
                builder.UseSetting($"Auth:Keys:{i}:Name", $"test-{roles[i]}");
                builder.UseSetting($"Auth:Keys:{i}:Role", roles[i]);
                builder.UseSetting($"Auth:Keys:{i}:Hash", Factory.Web.Security.ApiKeyEntry.HashKey(FactoryApp.KeyFor(roles[i])));
            }

            // Outside Development the framework does not map MudBlazor's and Blazor's packaged assets from the build output.
            builder.UseStaticWebAssets();
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_dataFolder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
