namespace Factory.Core.Data;

/// <summary>Which engine holds the events (section <c>Database</c>).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Connection string; for SQLite the default is a file in <see cref="DataFolder"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Folder for the SQLite file (relative to the content root).</summary>
    public string DataFolder { get; set; } = "data";

    /// <summary>SQLite <c>synchronous</c> pragma: FULL makes every acknowledged commit survive power loss too.</summary>
    public string SqliteSynchronous { get; set; } = "FULL";
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}
