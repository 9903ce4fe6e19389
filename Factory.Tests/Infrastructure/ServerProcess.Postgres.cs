namespace Factory.Tests.Infrastructure;

/// <summary>
/// The test suite's part of <see cref="ServerProcess"/>: in CI's PostgreSQL pass (<c>FACTORY_TEST_DATABASE=postgres</c>)
/// a server process that names no engine of its own gets a fresh PostgreSQL database, kept across its restarts and
/// dropped when it is disposed.
/// </summary>
internal sealed partial class ServerProcess
{
    private string? _postgresAdmin;
    private string? _postgresDatabase;

    partial void ConfigureDatabase(Dictionary<string, string> environment)
    {
        if (!FactoryApp.UsePostgres || environment.ContainsKey("Database__Provider"))
        {
            return;
        }

        _postgresAdmin = Environment.GetEnvironmentVariable("FACTORY_TEST_POSTGRES")
            ?? throw new InvalidOperationException("FACTORY_TEST_DATABASE=postgres needs FACTORY_TEST_POSTGRES (an admin connection string).");
        _postgresDatabase = "factory_process_" + Guid.NewGuid().ToString("N")[..12];
        environment["Database__Provider"] = "Postgres";
        environment["Database__ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(_postgresAdmin) { Database = _postgresDatabase }.ToString();
    }

    partial void DropDatabase()
    {
        if (_postgresAdmin is null || _postgresDatabase is null)
        {
            return;
        }

        try
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            using var connection = new Npgsql.NpgsqlConnection(_postgresAdmin);
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = $"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)";
            drop.ExecuteNonQuery();
        }
        catch (Npgsql.NpgsqlException)
        {
        }
    }
}
