using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notejam.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class NoteShares : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "NoteShares",
                columns: table => new
                {
                    NoteId = table.Column<int>(type: "integer", nullable: false),
                    OwnerId = table.Column<int>(type: "integer", nullable: false),
                    Token = table.Column<string>(type: "character varying(43)", maxLength: 43, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NoteShares", x => x.NoteId);
                    table.ForeignKey(
                        name: "FK_NoteShares_AspNetUsers_OwnerId",
                        column: x => x.OwnerId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_NoteShares_Notes_NoteId",
                        column: x => x.NoteId,
                        principalTable: "Notes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_NoteShares_OwnerId",
                table: "NoteShares",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_NoteShares_Token",
                table: "NoteShares",
                column: "Token",
                unique: true);

            // A share that comes or goes changes what the owner's note and list show (the link, the marker): the same
            // statement triggers as Notes and Pads (migration DataVersions) bump the owner's data version, so the site's
            // kept pages are answered 304 no longer.
            foreach (var (operation, transition) in new[] { ("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD") })
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER "NoteShares_{operation.ToLowerInvariant()}_bumps_data_version"
                    AFTER {operation} ON "NoteShares" REFERENCING {transition} TABLE AS changed
                    FOR EACH STATEMENT EXECUTE FUNCTION notejam_bump_data_version();
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var operation in new[] { "insert", "update", "delete" })
            {
                migrationBuilder.Sql($"""DROP TRIGGER "NoteShares_{operation}_bumps_data_version" ON "NoteShares";""");
            }

            migrationBuilder.DropTable(
                name: "NoteShares");
        }
    }
}
