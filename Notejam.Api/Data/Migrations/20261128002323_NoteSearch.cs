using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace Notejam.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class NoteSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "SearchVector",
                table: "Notes",
                type: "tsvector",
                nullable: true,
                computedColumnSql: "setweight(to_tsvector('simple', \"Name\"), 'A') || setweight(to_tsvector('simple', \"Text\"), 'B')",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "IX_Notes_SearchVector",
                table: "Notes",
                column: "SearchVector")
                .Annotation("Npgsql:IndexMethod", "GIN");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Notes_SearchVector",
                table: "Notes");

            migrationBuilder.DropColumn(
                name: "SearchVector",
                table: "Notes");
        }
    }
}
