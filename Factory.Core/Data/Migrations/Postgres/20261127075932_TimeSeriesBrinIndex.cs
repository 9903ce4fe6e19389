using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Factory.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TimeSeriesBrinIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_events_time_brin",
                table: "events",
                column: "timestamp")
                .Annotation("Npgsql:IndexMethod", "brin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_events_time_brin",
                table: "events");
        }
    }
}
