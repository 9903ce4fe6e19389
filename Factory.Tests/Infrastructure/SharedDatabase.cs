namespace Factory.Tests.Infrastructure;

/// <summary>A database that outlives one <see cref="FactoryApp"/>: a SQLite file, or a PostgreSQL database in CI's PostgreSQL pass.</summary>
internal sealed record SharedDatabase(Dictionary<string, string?> Settings, Action Drop)
{
    public static SharedDatabase Create()
    {
        if (FactoryApp.UsePostgres)
        {
            var admin = Environment.GetEnvironmentVariable("FACTORY_TEST_POSTGRES")!;
            var name = "factory_restart_" + Guid.NewGuid().ToString("N")[..10];
            return new SharedDatabase(
                new Dictionary<string, string?>
                {
                    ["Database:Provider"] = "Postgres",
                    ["Database:ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString(),
                },
                () =>
                {
                    Npgsql.NpgsqlConnection.ClearAllPools();
                    using var connection = new Npgsql.NpgsqlConnection(admin);
                    connection.Open();
                    using var drop = connection.CreateCommand();
                    drop.CommandText = $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)";
                    drop.ExecuteNonQuery();
                });
        }

        var folder = Path.Combine(Path.GetTempPath(), "factory-tests", "restart-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return new SharedDatabase(
            new Dictionary<string, string?> { ["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "factory.db")}" },
            () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            });
    }
}
