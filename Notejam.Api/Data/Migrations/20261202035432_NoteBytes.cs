using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notejam.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class NoteBytes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "NoteBytes",
                table: "DataVersions",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            // The bytes of the texts, kept beside the count by the same statement triggers (the functions of NoteCounts,
            // replaced): the quota check reads one row instead of summing octet_length over every note of the account.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION notejam_count_inserted_notes() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO "DataVersions" ("UserId", "Version", "NoteCount", "NoteBytes")
                    SELECT n."OwnerId", 0, count(*), coalesce(sum(octet_length(n."Text")), 0) FROM new_rows n
                    WHERE EXISTS (SELECT 1 FROM "AspNetUsers" u WHERE u."Id" = n."OwnerId")
                    GROUP BY n."OwnerId"
                    ON CONFLICT ("UserId") DO UPDATE SET "NoteCount" = "DataVersions"."NoteCount" + excluded."NoteCount",
                        "NoteBytes" = "DataVersions"."NoteBytes" + excluded."NoteBytes";
                    INSERT INTO "PadNoteCounts" ("PadId", "Count")
                    SELECT n."PadId", count(*) FROM new_rows n
                    WHERE n."PadId" IS NOT NULL AND EXISTS (SELECT 1 FROM "Pads" p WHERE p."Id" = n."PadId")
                    GROUP BY n."PadId"
                    ON CONFLICT ("PadId") DO UPDATE SET "Count" = "PadNoteCounts"."Count" + excluded."Count";
                    RETURN NULL;
                END $$;

                CREATE OR REPLACE FUNCTION notejam_count_deleted_notes() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "DataVersions" v SET "NoteCount" = v."NoteCount" - o.removed, "NoteBytes" = v."NoteBytes" - o.bytes
                    FROM (SELECT "OwnerId", count(*) AS removed, coalesce(sum(octet_length("Text")), 0) AS bytes
                          FROM old_rows GROUP BY "OwnerId") o
                    WHERE v."UserId" = o."OwnerId";
                    UPDATE "PadNoteCounts" c SET "Count" = c."Count" - o.removed
                    FROM (SELECT "PadId", count(*) AS removed FROM old_rows WHERE "PadId" IS NOT NULL GROUP BY "PadId") o
                    WHERE c."PadId" = o."PadId";
                    RETURN NULL;
                END $$;

                CREATE OR REPLACE FUNCTION notejam_count_moved_notes() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE "DataVersions" v SET "NoteBytes" = v."NoteBytes" + d.delta
                    FROM (SELECT n."OwnerId", sum(octet_length(n."Text")::bigint - octet_length(o."Text")) AS delta
                          FROM new_rows n JOIN old_rows o ON o."Id" = n."Id" GROUP BY n."OwnerId") d
                    WHERE v."UserId" = d."OwnerId" AND d.delta <> 0;
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

                UPDATE "DataVersions" v SET "NoteBytes" = s.bytes
                FROM (SELECT "OwnerId", sum(octet_length("Text")) AS bytes FROM "Notes" GROUP BY "OwnerId") s
                WHERE v."UserId" = s."OwnerId";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "NoteBytes",
                table: "DataVersions");
        }
    }
}
