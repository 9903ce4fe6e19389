using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Factory.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    timestamp = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    received_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    worker_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    workstation_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    event_type = table.Column<int>(type: "integer", nullable: false),
                    confidence = table.Column<double>(type: "double precision", nullable: false),
                    count = table.Column<int>(type: "integer", nullable: false),
                    camera_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    model_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    event_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    low_confidence = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "model_exclusions",
                columns: table => new
                {
                    model_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_exclusions", x => x.model_version);
                });

            migrationBuilder.CreateTable(
                name: "workers",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    shift = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    department = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workers", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "workstations",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    location = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workstations", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "workers",
                columns: new[] { "id", "created_at", "department", "name", "shift" },
                values: new object[,]
                {
                    { "W1", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "assembly", "Amara Okafor", "morning" },
                    { "W2", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "assembly", "Lukas Brenner", "morning" },
                    { "W3", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "inspection", "Priya Raman", "morning" },
                    { "W4", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "inspection", "Diego Alvarez", "evening" },
                    { "W5", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "packaging", "Mei Tanaka", "evening" },
                    { "W6", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "packaging", "Jonas Lindqvist", "night" }
                });

            migrationBuilder.InsertData(
                table: "workstations",
                columns: new[] { "id", "created_at", "location", "name", "type" },
                values: new object[,]
                {
                    { "S1", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Hall 1, Bay 1", "Assembly Line A", "assembly" },
                    { "S2", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Hall 1, Bay 2", "Assembly Line B", "assembly" },
                    { "S3", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Hall 1, Bay 3", "Quality Inspection 1", "inspection" },
                    { "S4", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Hall 2, Bay 1", "Quality Inspection 2", "inspection" },
                    { "S5", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Hall 2, Bay 2", "Packaging Station 1", "packaging" },
                    { "S6", new DateTime(2026, 1, 1, 0, 0, 0, 0, DateTimeKind.Utc), "Hall 2, Bay 3", "Packaging Station 2", "packaging" }
                });

            migrationBuilder.CreateIndex(
                name: "ix_events_time",
                table: "events",
                column: "timestamp");

            migrationBuilder.CreateIndex(
                name: "ix_events_worker_time",
                table: "events",
                columns: new[] { "worker_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_events_workstation_time",
                table: "events",
                columns: new[] { "workstation_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ux_events_dedup",
                table: "events",
                columns: new[] { "timestamp", "worker_id", "event_type" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_events_event_id",
                table: "events",
                column: "event_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "events");

            migrationBuilder.DropTable(
                name: "model_exclusions");

            migrationBuilder.DropTable(
                name: "workers");

            migrationBuilder.DropTable(
                name: "workstations");
        }
    }
}
