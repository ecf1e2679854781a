using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notejam.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class DataVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "DataVersions",
                columns: table => new
                {
                    UserId = table.Column<int>(type: "integer", nullable: false),
                    Version = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataVersions", x => x.UserId);
                    table.ForeignKey(
                        name: "FK_DataVersions_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Every statement that inserts, updates or deletes pads or notes adds one to the version of each account it
            // touched, in its own transaction. Statement triggers with transition tables: an import of 10,000 notes is one
            // upsert, not 10,000. An account being deleted (its notes and pads go by cascade) gets no new row.
            migrationBuilder.Sql("""
                CREATE FUNCTION notejam_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "DataVersions" ("UserId", "Version")
                    SELECT DISTINCT changed."OwnerId", 1 FROM changed
                    WHERE EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."Id" = changed."OwnerId")
                    ON CONFLICT ("UserId") DO UPDATE SET "Version" = "DataVersions"."Version" + 1;
                    RETURN NULL;
                END $$;
                """);
            foreach (var table in new[] { "Notes", "Pads" })
            {
                foreach (var (operation, transition) in new[] { ("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD") })
                {
                    migrationBuilder.Sql($"""
                        CREATE TRIGGER "{table}_{operation.ToLowerInvariant()}_bumps_data_version"
                        AFTER {operation} ON "{table}" REFERENCING {transition} TABLE AS changed
                        FOR EACH STATEMENT EXECUTE FUNCTION notejam_bump_data_version();
                        """);
                }
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "Notes", "Pads" })
            {
                foreach (var operation in new[] { "insert", "update", "delete" })
                {
                    migrationBuilder.Sql($"""DROP TRIGGER "{table}_{operation}_bumps_data_version" ON "{table}";""");
                }
            }

            migrationBuilder.Sql("DROP FUNCTION notejam_bump_data_version();");
            migrationBuilder.DropTable(
                name: "DataVersions");
        }
    }
}
