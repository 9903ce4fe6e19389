using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Factory.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DropRedundantTimeIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_events_time",
                table: "events");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_events_time",
                table: "events",
                column: "timestamp");
        }
    }
}
