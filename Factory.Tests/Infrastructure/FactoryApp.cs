using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Factory.Tests.Infrastructure;

/// <summary>
/// The real server in memory, with its own temporary SQLite file and a <see cref="FakeTimeProvider"/>
/// that starts at <see cref="Start"/>. Extra configuration can be given per test class.
/// </summary>
public class FactoryApp : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Start = new(2026, 1, 21, 15, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsFolder;

    /// <param name="shiftCalendars">
    /// False (the default) switches shift calendars off (<c>Shifts:Enabled=false</c>), so figures are the plain
    /// rules of metrics.md; true uses the stored calendar (seeded with the default morning/evening/night shifts).
    /// </param>
    /// <param name="dataFolder">
    /// A folder the test owns (kept on dispose), so that a second app on the same folder is a restart of the first;
    /// null: a new temporary folder deleted on dispose.
    /// </param>
    public FactoryApp(IDictionary<string, string?>? settings = null, bool withKeys = true, bool shiftCalendars = false, string? dataFolder = null)
    {
        _ownsFolder = dataFolder is null;
        DataFolder = dataFolder ?? Path.Combine(Path.GetTempPath(), "factory-tests", Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Database:DataFolder"] = DataFolder,
        };
        if (UsePostgres)
        {
            var admin = Environment.GetEnvironmentVariable("FACTORY_TEST_POSTGRES")
                ?? throw new InvalidOperationException("FACTORY_TEST_DATABASE=postgres needs FACTORY_TEST_POSTGRES (an admin connection string).");
            PostgresDatabase = "factory_test_" + Guid.NewGuid().ToString("N")[..12];
            _postgresAdmin = admin;
            _settings.TryAdd("Database:Provider", "Postgres");
            _settings.TryAdd("Database:ConnectionString", new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = PostgresDatabase }.ToString());
        }

        _settings.TryAdd("Seed:OnEmptyDatabase", "false");
        _settings.TryAdd("Shifts:Enabled", shiftCalendars ? "true" : "false");
        _settings.TryAdd("Serilog:MinimumLevel:Default", "Warning");
        _settings.TryAdd("Auth:PermitsPerSecond", "100000");
        _settings.TryAdd("Auth:Burst", "100000");
        string[] roles = withKeys ? ["camera", "viewer", "admin"] : [];
        for (var i = 0; i < roles.Length; i++)
        {
            _settings.TryAdd($"Auth:Keys:{i}:Name", $"test-{roles[i]}");
            _settings.TryAdd($"Auth:Keys:{i}:Role", roles[i]);
            _settings.TryAdd($"Auth:Keys:{i}:Hash", Factory.Web.Security.ApiKeyEntry.HashKey(KeyFor(roles[i])));
        }
        _settings.TryAdd("Simulator:Enabled", "false");
    }

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>True when the suite runs against PostgreSQL (<c>FACTORY_TEST_DATABASE=postgres</c>, as in CI's second pass).</summary>
    public static bool UsePostgres => string.Equals(Environment.GetEnvironmentVariable("FACTORY_TEST_DATABASE"), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The per-app PostgreSQL database, when <see cref="UsePostgres"/>.</summary>
    public string? PostgresDatabase { get; }

    private readonly string? _postgresAdmin;

    /// <summary>The plain API key of each role configured for tests.</summary>
    public static string KeyFor(string role) => ServerProcess.KeyFor(role);

    /// <summary>Clients made by <c>CreateClient()</c> carry the admin key, which may call every endpoint.</summary>
    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add("X-Api-Key", KeyFor("admin"));
    }

    /// <summary>A client with the given role's key, or with no key when <paramref name="role"/> is null.</summary>
    public HttpClient CreateClientAs(string? role)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        if (role is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", KeyFor(role));
        }

        return client;
    }

    public string DataFolder { get; }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
        });
    }

    public T GetService<T>() where T : notnull => Services.GetRequiredService<T>();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        TryDeleteFolder();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TryDeleteFolder();
        GC.SuppressFinalize(this);
    }

    private void TryDeleteFolder()
    {
        if (PostgresDatabase is not null && _postgresAdmin is not null)
        {
            try
            {
                Npgsql.NpgsqlConnection.ClearAllPools();
                using var connection = new Npgsql.NpgsqlConnection(_postgresAdmin);
                connection.Open();
                using var drop = connection.CreateCommand();
                drop.CommandText = $"DROP DATABASE IF EXISTS \"{PostgresDatabase}\" WITH (FORCE)";
                drop.ExecuteNonQuery();
            }
            catch (Npgsql.NpgsqlException)
            {
            }
        }

        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (_ownsFolder && Directory.Exists(DataFolder))
            {
                Directory.Delete(DataFolder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Small helpers for posting events in tests.</summary>
public static class FactoryHttp
{
    public static object Event(DateTimeOffset timestamp, string worker = "W1", string station = "S1", string type = "working",
        double confidence = 0.9, int count = 1, string? camera = "CAM-01", string? model = "yolov8-v2.1", string? eventId = null) => new
        {
            timestamp = timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture),
            worker_id = worker,
            workstation_id = station,
            event_type = type,
            confidence,
            count,
            camera_id = camera,
            model_version = model,
            event_id = eventId,
        };

    public static Task<HttpResponseMessage> PostEventAsync(this HttpClient client, object body) =>
        client.PostAsJsonAsync("/api/events", body);

    public static Task<HttpResponseMessage> PostBatchAsync(this HttpClient client, IEnumerable<object> events) =>
        client.PostAsJsonAsync("/api/events/batch", new { events });

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
