using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Factory.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddAlerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "cameras",
                table: "workstations",
                type: "TEXT",
                maxLength: 1100,
                nullable: false,
                defaultValueSql: "''");

            migrationBuilder.CreateTable(
                name: "alert_deliveries",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    alert_id = table.Column<long>(type: "INTEGER", nullable: false),
                    change = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    target = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    delivered_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_deliveries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alert_rules",
                columns: table => new
                {
                    id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    threshold = table.Column<double>(type: "REAL", nullable: true),
                    for_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    scope = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    scope_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    severity = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    shift_time_only = table.Column<bool>(type: "INTEGER", nullable: false),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    targets = table.Column<string>(type: "TEXT", maxLength: 1100, nullable: false),
                    escalate_after_minutes = table.Column<int>(type: "INTEGER", nullable: true),
                    escalation_targets = table.Column<string>(type: "TEXT", maxLength: 1100, nullable: false),
                    quiet_minutes = table.Column<int>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_rules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    rule_id = table.Column<int>(type: "INTEGER", nullable: false),
                    rule_name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    scope = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    entity_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    severity = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    value = table.Column<double>(type: "REAL", nullable: false),
                    threshold = table.Column<double>(type: "REAL", nullable: false),
                    started_at = table.Column<long>(type: "INTEGER", nullable: false),
                    opened_at = table.Column<long>(type: "INTEGER", nullable: false),
                    acknowledged_at = table.Column<long>(type: "INTEGER", nullable: true),
                    acknowledged_by = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    acknowledge_comment = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    escalated_at = table.Column<long>(type: "INTEGER", nullable: true),
                    resolved_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alerts", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "alert_rules",
                columns: new[] { "id", "created_at", "enabled", "escalate_after_minutes", "escalation_targets", "for_minutes", "kind", "name", "quiet_minutes", "scope", "scope_id", "severity", "shift_time_only", "targets", "threshold", "updated_at" },
                values: new object[,]
                {
                    { 1, 639028224000000000L, true, 30, "", 0, "CameraSilent", "Camera silent during shift", 10, "Camera", null, "Warning", true, "", null, 639028224000000000L },
                    { 2, 639028224000000000L, true, null, "", 10, "ModelConfidence", "Model confidence low", 10, "Factory", null, "Critical", false, "", 0.75, 639028224000000000L },
                    { 3, 639028224000000000L, true, null, "", 30, "StationUtilization", "Station utilization below 50 %", 10, "Workstation", null, "Warning", true, "", 50.0, 639028224000000000L },
                    { 4, 639028224000000000L, true, null, "", 0, "WorkerIdleStretch", "Worker idle for 20 min", 10, "Worker", null, "Info", true, "", 20.0, 639028224000000000L },
                    { 5, 639028224000000000L, true, 30, "", 15, "StationUnstaffed", "Station unstaffed", 10, "Workstation", null, "Warning", true, "", 1.0, 639028224000000000L },
                    { 6, 639028224000000000L, true, null, "", 30, "UnitsPerHour", "Factory output below 10 u/h", 10, "Factory", null, "Info", true, "", 10.0, 639028224000000000L },
                    { 7, 639028224000000000L, true, null, "", 10, "LateEventsShare", "Late events above 10 %", 10, "Factory", null, "Warning", false, "", 10.0, 639028224000000000L }
                });

            migrationBuilder.UpdateData(
                table: "workstations",
                keyColumn: "id",
                keyValue: "S1",
                column: "cameras",
                value: "");

            migrationBuilder.UpdateData(
                table: "workstations",
                keyColumn: "id",
                keyValue: "S2",
                column: "cameras",
                value: "");

            migrationBuilder.UpdateData(
                table: "workstations",
                keyColumn: "id",
                keyValue: "S3",
                column: "cameras",
                value: "");

            migrationBuilder.UpdateData(
                table: "workstations",
                keyColumn: "id",
                keyValue: "S4",
                column: "cameras",
                value: "");

            migrationBuilder.UpdateData(
                table: "workstations",
                keyColumn: "id",
                keyValue: "S5",
                column: "cameras",
                value: "");

            migrationBuilder.UpdateData(
                table: "workstations",
                keyColumn: "id",
                keyValue: "S6",
                column: "cameras",
                value: "");

            migrationBuilder.CreateIndex(
                name: "ix_alert_deliveries_created",
                table: "alert_deliveries",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_alert_deliveries_due",
                table: "alert_deliveries",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_opened",
                table: "alerts",
                column: "opened_at");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_state_opened",
                table: "alerts",
                columns: new[] { "state", "opened_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_deliveries");

            migrationBuilder.DropTable(
                name: "alert_rules");

            migrationBuilder.DropTable(
                name: "alerts");

            migrationBuilder.DropColumn(
                name: "cameras",
                table: "workstations");
        }
    }
}
