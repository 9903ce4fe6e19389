using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Factory.Core.Data.Migrations.Sqlite
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
                    id = table.Column<int>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_shift_calendar", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "shifts",
                columns: table => new
                {
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    start_minute = table.Column<int>(type: "INTEGER", nullable: false),
                    end_minute = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_shifts", x => x.position);
                });

            migrationBuilder.CreateTable(
                name: "shift_breaks",
                columns: table => new
                {
                    shift_position = table.Column<int>(type: "INTEGER", nullable: false),
                    position = table.Column<int>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    start_minute = table.Column<int>(type: "INTEGER", nullable: false),
                    end_minute = table.Column<int>(type: "INTEGER", nullable: false)
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
                values: new object[] { 1, true, 639028224000000000L });

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
