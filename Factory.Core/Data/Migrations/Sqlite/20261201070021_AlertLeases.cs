using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Factory.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AlertLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "leases",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_leases", x => x.name);
                });

            migrationBuilder.InsertData(
                table: "leases",
                columns: new[] { "name", "expires_at", "owner" },
                values: new object[] { "alerts", 621355968000000000L, "" });

            // Instances that evaluated side by side before the lease may have opened the same alert twice: keep the
            // first of each rule and entity unresolved, so that the unique index can be built.
            migrationBuilder.Sql(
                "UPDATE alerts SET state = 'Resolved', resolved_at = opened_at WHERE resolved_at IS NULL AND id NOT IN " +
                "(SELECT MIN(id) FROM alerts WHERE resolved_at IS NULL GROUP BY rule_id, scope, entity_id);");

            migrationBuilder.CreateIndex(
                name: "ux_alerts_unresolved",
                table: "alerts",
                columns: new[] { "rule_id", "scope", "entity_id" },
                unique: true,
                filter: "\"resolved_at\" IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "leases");

            migrationBuilder.DropIndex(
                name: "ux_alerts_unresolved",
                table: "alerts");
        }
    }
}
