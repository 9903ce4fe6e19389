using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Factory.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddIngestionQuality : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ingestion_quality",
                columns: table => new
                {
                    hour_start = table.Column<long>(type: "INTEGER", nullable: false),
                    camera_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ingestion_quality", x => new { x.hour_start, x.camera_id, x.outcome, x.reason });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ingestion_quality");
        }
    }
}
