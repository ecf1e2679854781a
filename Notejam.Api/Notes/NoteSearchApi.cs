using System.ComponentModel;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;
using Notejam.Api.Users;
using Npgsql;
using NpgsqlTypes;

namespace Notejam.Api.Notes;

/// <summary>GET /notes/search: my notes that hold every word asked for (the last one as a prefix too), best first.</summary>
internal static class NoteSearchApi
{
    // Two short fragments around the matches; a note with no match in its text (only in its name) shows its first words.
    private static readonly string HeadlineOptions =
        $"StartSel={SearchMarkers.MatchStart}, StopSel={SearchMarkers.MatchEnd}, MaxWords=24, MinWords=10, ShortWord=2, " +
        "MaxFragments=2, FragmentDelimiter=\" … \"";

    private sealed record Row(int Id, string Name, int? PadId, string? PadName, DateTimeOffset UpdatedAt, string Snippet, float Rank, int Total);

    // EF Core maps parameters by their value's type, which for a query is a node type (NpgsqlTsQueryAnd…): say it is a tsquery.
    private static NpgsqlParameter Parameter(NpgsqlTsQuery query, string name) =>
        new(name, NpgsqlDbType.TsQuery) { Value = query };

    public static RouteHandlerBuilder MapNoteSearch(this IEndpointRouteBuilder routes) =>
        routes.MapGroup("/notes").WithTags("Notes").RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized)
            .MapGet("/search", SearchNotes).WithName(nameof(SearchNotes))
            .WithSummary("Search my notes")
            .WithDescription("Full-text search of my notes' names and texts (PostgreSQL, configuration 'simple'): every word must match, " +
                "the last one also as the start of a word. Best match first, then the latest edited.");

    public static async Task<Results<Ok<NoteSearchPage>, ValidationProblem>> SearchNotes(
        ClaimsPrincipal user, NotejamDb db,
        [Description("The words to look for, at most 200 characters; punctuation is ignored.")] string? q,
        int page = 1, int pageSize = NotesApi.DefaultPageSize, CancellationToken ct = default)
    {
        var errors = NotesApi.PagingErrors(page, pageSize);
        if (q?.Length > NoteSearch.MaxQueryLength)
        {
            errors["q"] = [$"Search for at most {NoteSearch.MaxQueryLength} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (NoteSearch.Parse(q) is not { } query)
        {
            return TypedResults.Ok(new NoteSearchPage([], 0, page, pageSize));
        }

        var owner = user.Id();
        // One pass over the matches ranks them, counts them (the window) and cuts the page; only the page's notes
        // are then read whole for their snippets.
        var rows = await db.Database.SqlQuery<Row>($"""
            SELECT hit."Id", hit."Name", hit."PadId", pad."Name" AS "PadName", hit."UpdatedAt",
                   ts_headline({NoteSearch.Configuration}::regconfig, note."Text", {Parameter(query, "q1")}, {HeadlineOptions}) AS "Snippet",
                   hit."Rank", hit."Total"
            FROM (
                SELECT "Id", "Name", "PadId", "UpdatedAt", ts_rank("SearchVector", {Parameter(query, "q2")}) AS "Rank",
                       count(*) OVER ()::int AS "Total"
                FROM "Notes"
                WHERE "OwnerId" = {owner} AND "SearchVector" @@ {Parameter(query, "q3")}
                ORDER BY "Rank" DESC, "UpdatedAt" DESC, "Id" DESC
                LIMIT {pageSize} OFFSET {(page - 1) * pageSize}
            ) AS hit
            JOIN "Notes" AS note ON note."Id" = hit."Id"
            LEFT JOIN "Pads" AS pad ON pad."Id" = hit."PadId"
            ORDER BY hit."Rank" DESC, hit."UpdatedAt" DESC, hit."Id" DESC
            """).ToListAsync(ct);
        // A page past the last has no row to carry the count: count on its own then.
        var total = rows.Count > 0 || page == 1 ? rows.FirstOrDefault()?.Total ?? 0 : await db.Database.SqlQuery<int>($"""
            SELECT count(*)::int AS "Value" FROM "Notes" WHERE "OwnerId" = {owner} AND "SearchVector" @@ {Parameter(query, "q")}
            """).SingleAsync(ct);
        var items = rows.Select(r => new NoteSearchHit(
            r.Id, r.Name, r.PadId is { } pad ? new PadSummary(pad, r.PadName!) : null, r.UpdatedAt, r.Snippet, r.Rank)).ToList();
        return TypedResults.Ok(new NoteSearchPage(items, total, page, pageSize));
    }
}
