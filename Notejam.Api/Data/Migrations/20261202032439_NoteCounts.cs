using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notejam.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class NoteCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "NoteCount",
                table: "DataVersions",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "PadNoteCounts",
                columns: table => new
                {
                    PadId = table.Column<int>(type: "integer", nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PadNoteCounts", x => x.PadId);
                    table.ForeignKey(
                        name: "FK_PadNoteCounts_Pads_PadId",
                        column: x => x.PadId,
                        principalTable: "Pads",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Counts kept in the transaction of every note insert, move and delete (statement triggers with transition
            // tables, one upsert per statement), so no page counts notes. Rows of an account or pad being deleted are
            // not recreated (the EXISTS guards).
            migrationBuilder.Sql("""
                CREATE FUNCTION notejam_count_inserted_notes() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "DataVersions" ("UserId", "Version", "NoteCount")
                    SELECT n."OwnerId", 0, count(*) FROM new_rows n
                    WHERE EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."Id" = n."OwnerId")
                    GROUP BY n."OwnerId"
                    ON CONFLICT ("UserId") DO UPDATE SET "NoteCount" = "DataVersions"."NoteCount" + excluded."NoteCount";
                    INSERT INTO "PadNoteCounts" ("PadId", "Count")
                    SELECT n."PadId", count(*) FROM new_rows n
                    WHERE n."PadId" IS NOT NULL AND EXISTS (SELECT 1 FROM "Pads" p WHERE p."Id" = n."PadId")
                    GROUP BY n."PadId"
                    ON CONFLICT ("PadId") DO UPDATE SET "Count" = "PadNoteCounts"."Count" + excluded."Count";
                    RETURN NULL;
                END $$;

                CREATE FUNCTION notejam_count_deleted_notes() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "DataVersions" v SET "NoteCount" = v."NoteCount" - o.removed
                    FROM (SELECT "OwnerId", count(*) AS removed FROM old_rows GROUP BY "OwnerId") o
                    WHERE v."UserId" = o."OwnerId";
                    UPDATE "PadNoteCounts" c SET "Count" = c."Count" - o.removed
                    FROM (SELECT "PadId", count(*) AS removed FROM old_rows WHERE "PadId" IS NOT NULL GROUP BY "PadId") o
                    WHERE c."PadId" = o."PadId";
                    RETURN NULL;
                END $$;

                CREATE FUNCTION notejam_count_moved_notes() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "PadNoteCounts" c SET "Count" = c."Count" - o.removed
                    FROM (SELECT o."PadId", count(*) AS removed FROM old_rows o JOIN new_rows n ON n."Id" = o."Id"
                          WHERE o."PadId" IS NOT NULL AND o."PadId" IS DISTINCT FROM n."PadId" GROUP BY o."PadId") o
                    WHERE c."PadId" = o."PadId";
                    INSERT INTO "PadNoteCounts" ("PadId", "Count")
                    SELECT n."PadId", count(*) FROM new_rows n JOIN old_rows o ON o."Id" = n."Id"
                    WHERE n."PadId" IS NOT NULL AND n."PadId" IS DISTINCT FROM o."PadId"
                      AND EXISTS (SELECT 1 FROM "Pads" p WHERE p."Id" = n."PadId")
                    GROUP BY n."PadId"
                    ON CONFLICT ("PadId") DO UPDATE SET "Count" = "PadNoteCounts"."Count" + excluded."Count";
                    RETURN NULL;
                END $$;

                CREATE TRIGGER "Notes_insert_counts" AFTER INSERT ON "Notes" REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION notejam_count_inserted_notes();
                CREATE TRIGGER "Notes_delete_counts" AFTER DELETE ON "Notes" REFERENCING OLD TABLE AS old_rows
                FOR EACH STATEMENT EXECUTE FUNCTION notejam_count_deleted_notes();
                CREATE TRIGGER "Notes_update_counts" AFTER UPDATE ON "Notes" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION notejam_count_moved_notes();

                INSERT INTO "DataVersions" ("UserId", "Version", "NoteCount")
                SELECT "OwnerId", 0, count(*) FROM "Notes" GROUP BY "OwnerId"
                ON CONFLICT ("UserId") DO UPDATE SET "NoteCount" = excluded."NoteCount";
                INSERT INTO "PadNoteCounts" ("PadId", "Count")
                SELECT "PadId", count(*) FROM "Notes" WHERE "PadId" IS NOT NULL GROUP BY "PadId";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "Notes_insert_counts" ON "Notes";
                DROP TRIGGER "Notes_delete_counts" ON "Notes";
                DROP TRIGGER "Notes_update_counts" ON "Notes";
                DROP FUNCTION notejam_count_inserted_notes();
                DROP FUNCTION notejam_count_deleted_notes();
                DROP FUNCTION notejam_count_moved_notes();
                """);
            migrationBuilder.DropTable(
                name: "PadNoteCounts");

            migrationBuilder.DropColumn(
                name: "NoteCount",
                table: "DataVersions");
        }
    }
}
