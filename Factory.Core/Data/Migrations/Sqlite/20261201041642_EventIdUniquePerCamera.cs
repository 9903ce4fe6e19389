using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Factory.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EventIdUniquePerCamera : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ux_events_event_id",
                table: "events");

            migrationBuilder.CreateIndex(
                name: "ux_events_camera_event_id",
                table: "events",
                columns: new[] { "camera_id", "event_id" },
                unique: true,
                filter: "camera_id IS NOT NULL AND event_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ux_events_event_id_without_camera",
                table: "events",
                column: "event_id",
                unique: true,
                filter: "camera_id IS NULL AND event_id IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ux_events_camera_event_id",
                table: "events");

            migrationBuilder.DropIndex(
                name: "ux_events_event_id_without_camera",
                table: "events");

            migrationBuilder.CreateIndex(
                name: "ux_events_event_id",
                table: "events",
                column: "event_id",
                unique: true);
        }
    }
}
