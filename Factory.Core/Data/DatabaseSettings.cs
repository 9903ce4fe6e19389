namespace Factory.Core.Data;

/// <summary>The resolved engine and connection string the process uses.</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString);
