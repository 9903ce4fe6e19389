using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Factory.Core.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without the web host.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteFactoryDbContext>
{
    public SqliteFactoryDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteFactoryDbContext>().UseSqlite("Data Source=design.db").Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresFactoryDbContext>
{
    public PostgresFactoryDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresFactoryDbContext>().UseNpgsql("Host=localhost;Database=factory").Options);
}
