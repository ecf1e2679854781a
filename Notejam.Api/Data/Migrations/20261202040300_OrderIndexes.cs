using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Notejam.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class OrderIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Expand, then contract: the new indexes first, then the old ones go. In the migration's transaction, because
            // replicas migrate at start under an advisory lock and CREATE INDEX CONCURRENTLY waits for every transaction
            // older than itself, the waiting replicas' included (it hung). IF NOT EXISTS: on a big table, build an index
            // CONCURRENTLY by hand before the release and the migration finds it (docs/deploy.md, expand and contract).
            foreach (var (name, table, columns) in new[]
                     {
                         ("IX_Pads_OwnerId_Name_Id", "Pads", "\"OwnerId\", \"Name\", \"Id\""),
                         ("IX_Notes_OwnerId_Name_Id", "Notes", "\"OwnerId\", \"Name\", \"Id\""),
                         ("IX_Notes_OwnerId_UpdatedAt_Id", "Notes", "\"OwnerId\", \"UpdatedAt\", \"Id\""),
                         ("IX_Notes_PadId_Name_Id", "Notes", "\"PadId\", \"Name\", \"Id\""),
                         ("IX_Notes_PadId_UpdatedAt_Id", "Notes", "\"PadId\", \"UpdatedAt\", \"Id\""),
                     })
            {
                migrationBuilder.Sql($"""CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns});""");
            }

            foreach (var name in new[] { "IX_Pads_OwnerId_Name", "IX_Notes_OwnerId_Name", "IX_Notes_OwnerId_UpdatedAt", "IX_Notes_PadId_UpdatedAt" })
            {
                migrationBuilder.Sql($"""DROP INDEX IF EXISTS "{name}";""");
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Pads_OwnerId_Name_Id",
                table: "Pads");

            migrationBuilder.DropIndex(
                name: "IX_Notes_OwnerId_Name_Id",
                table: "Notes");

            migrationBuilder.DropIndex(
                name: "IX_Notes_OwnerId_UpdatedAt_Id",
                table: "Notes");

            migrationBuilder.DropIndex(
                name: "IX_Notes_PadId_Name_Id",
                table: "Notes");

            migrationBuilder.DropIndex(
                name: "IX_Notes_PadId_UpdatedAt_Id",
                table: "Notes");

            migrationBuilder.CreateIndex(
                name: "IX_Pads_OwnerId_Name",
                table: "Pads",
                columns: new[] { "OwnerId", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_Notes_OwnerId_Name",
                table: "Notes",
                columns: new[] { "OwnerId", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_Notes_OwnerId_UpdatedAt",
                table: "Notes",
                columns: new[] { "OwnerId", "UpdatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Notes_PadId_UpdatedAt",
                table: "Notes",
                columns: new[] { "PadId", "UpdatedAt" });
        }
    }
}
