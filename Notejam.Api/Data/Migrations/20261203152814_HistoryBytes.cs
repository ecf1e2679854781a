using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notejam.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class HistoryBytes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "HistoryBytes",
                table: "DataVersions",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // The bytes of the account's version texts, kept by statement triggers on NoteVersions as NoteBytes is on Notes
            // (migration NoteBytes): the history's bound (Notejam:History:BytesPerAccount) reads one row to know it holds.
            // Versions are never updated but for their pad (SET NULL when it is deleted), which changes no byte.
            migrationBuilder.Sql("""
                CREATE FUNCTION notejam_count_inserted_versions() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "DataVersions" ("UserId", "Version", "NoteCount", "NoteBytes", "HistoryBytes")
                    SELECT n."OwnerId", 0, 0, 0, coalesce(sum(octet_length(n."Text")), 0) FROM new_rows n
                    WHERE EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."Id" = n."OwnerId")
                    GROUP BY n."OwnerId"
                    ON CONFLICT ("UserId") DO UPDATE SET "HistoryBytes" = "DataVersions"."HistoryBytes" + excluded."HistoryBytes";
                    RETURN NULL;
                END $$;

                CREATE FUNCTION notejam_count_deleted_versions() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "DataVersions" v SET "HistoryBytes" = v."HistoryBytes" - o.bytes
                    FROM (SELECT "OwnerId", coalesce(sum(octet_length("Text")), 0) AS bytes FROM old_rows GROUP BY "OwnerId") o
                    WHERE v."UserId" = o."OwnerId";
                    RETURN NULL;
                END $$;

                CREATE TRIGGER "NoteVersions_insert_counts_bytes" AFTER INSERT ON "NoteVersions"
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notejam_count_inserted_versions();
                CREATE TRIGGER "NoteVersions_delete_counts_bytes" AFTER DELETE ON "NoteVersions"
                REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notejam_count_deleted_versions();

                UPDATE "DataVersions" v SET "HistoryBytes" = s.bytes
                FROM (SELECT "OwnerId", sum(octet_length("Text")) AS bytes FROM "NoteVersions" GROUP BY "OwnerId") s
                WHERE v."UserId" = s."OwnerId";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "NoteVersions_insert_counts_bytes" ON "NoteVersions";
                DROP TRIGGER "NoteVersions_delete_counts_bytes" ON "NoteVersions";
                DROP FUNCTION notejam_count_inserted_versions();
                DROP FUNCTION notejam_count_deleted_versions();
                """);

            migrationBuilder.DropColumn(
                name: "HistoryBytes",
                table: "DataVersions");
        }
    }
}
