using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Factory.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AddShiftCalendar : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "shift_calendar",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_shift_calendar", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "shifts",
                columns: table => new
                {
                    position = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    start_minute = table.Column<int>(type: "integer", nullable: false),
                    end_minute = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_shifts", x => x.position);
                });

            migrationBuilder.CreateTable(
                name: "shift_breaks",
                columns: table => new
                {
                    shift_position = table.Column<int>(type: "integer", nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    start_minute = table.Column<int>(type: "integer", nullable: false),
                    end_minute = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_shift_breaks", x => new { x.shift_position, x.position });
                    table.ForeignKey(
                        name: "FK_shift_breaks_shifts_shift_position",
                        column: x => x.shift_position,
                        principalTable: "shifts",
                        principalColumn: "position",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "shift_calendar",
                columns: new[] { "id", "enabled", "updated_at" },
                values: new object[] { 1, true, new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc) });

            migrationBuilder.InsertData(
                table: "shifts",
                columns: new[] { "position", "end_minute", "name", "start_minute" },
                values: new object[,]
                {
                    { 0, 840, "morning", 360 },
                    { 1, 1320, "evening", 840 },
                    { 2, 360, "night", 1320 }
                });

            migrationBuilder.InsertData(
                table: "shift_breaks",
                columns: new[] { "position", "shift_position", "end_minute", "name", "start_minute" },
                values: new object[,]
                {
                    { 0, 0, 825, "lunch", 780 },
                    { 0, 1, 1110, "meal", 1080 },
                    { 0, 2, 150, "meal", 120 }
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "shift_breaks");

            migrationBuilder.DropTable(
                name: "shift_calendar");

            migrationBuilder.DropTable(
                name: "shifts");
        }
    }
}
