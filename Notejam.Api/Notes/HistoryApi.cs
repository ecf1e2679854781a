using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;
using Notejam.Api.Pads;
using Notejam.Api.Users;

namespace Notejam.Api.Notes;

/// <summary>
/// /notes/{id}/versions: what one of my notes was before each of its saves, newest first, each with the one before it
/// (for a diff), and taking one back. Another person's note, or a version of another note, is a 404.
/// </summary>
internal static class HistoryApi
{
    public static RouteGroupBuilder MapHistory(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/notes/{id:int}/versions").WithTags("History").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/", ListVersions).WithName(nameof(ListVersions)).WithSummary("A page of my note's earlier versions, newest first");
        group.MapGet("/{versionId:long}", GetVersion).WithName(nameof(GetVersion))
            .WithSummary("One earlier version of my note, with the one kept before it");
        group.MapPost("/{versionId:long}/restore", RestoreVersion).WithName(nameof(RestoreVersion))
            .WithSummary("Makes an earlier version the note again; what the note was is kept as a version too")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return group;
    }

    public static async Task<Results<Ok<NoteVersionPage>, ValidationProblem, ProblemHttpResult>> ListVersions(
        int id, ClaimsPrincipal user, NotejamDb db, int page = 1, int pageSize = NotesApi.DefaultPageSize, CancellationToken ct = default)
    {
        if (NotesApi.PagingErrors(page, pageSize) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await db.Notes.AnyAsync(n => n.Id == id && n.OwnerId == user.Id(), ct))
        {
            return Problems.NotFound("note");
        }

        var versions = db.NoteVersions.Where(v => v.NoteId == id);
        var total = await versions.CountAsync(ct);
        var items = await versions.OrderByDescending(v => v.Id).Skip((page - 1) * pageSize).Take(pageSize)
            .Select(v => new NoteVersionSummary(v.Id, v.Name,
                v.PadId == null ? null : db.Pads.Where(p => p.Id == v.PadId).Select(p => new PadSummary(p.Id, p.Name)).FirstOrDefault(),
                v.SavedAt))
            .ToListAsync(ct);
        return TypedResults.Ok(new NoteVersionPage(items, total, page, pageSize));
    }

    public static async Task<Results<Ok<NoteVersionResponse>, ProblemHttpResult>> GetVersion(
        int id, long versionId, ClaimsPrincipal user, NotejamDb db, CancellationToken ct)
    {
        var owner = user.Id();
        var version = await db.NoteVersions.Where(v => v.Id == versionId && v.NoteId == id && v.OwnerId == owner)
            .Select(v => new
            {
                v.Id, v.Name, v.Text, v.SavedAt,
                Pad = v.PadId == null ? null : db.Pads.Where(p => p.Id == v.PadId).Select(p => new PadSummary(p.Id, p.Name)).FirstOrDefault(),
                Previous = db.NoteVersions.Where(p => p.NoteId == id && p.Id < v.Id).OrderByDescending(p => p.Id)
                    .Select(p => new { p.Name, p.Text }).FirstOrDefault(),
            })
            .FirstOrDefaultAsync(ct);
        return version is null
            ? Problems.NotFound("version")
            : TypedResults.Ok(new NoteVersionResponse(
                version.Id, version.Name, version.Text, version.Pad, version.SavedAt, version.Previous?.Name, version.Previous?.Text));
    }

    public static async Task<Results<Ok<NoteResponse>, ProblemHttpResult>> RestoreVersion(
        int id, long versionId, RestoreVersionRequest request, ClaimsPrincipal user, [AsParameters] NoteServices services, CancellationToken ct)
    {
        var (db, owner) = (services.Db, user.Id());
        var note = await db.Notes.Include(n => n.Pad).FirstOrDefaultAsync(n => n.Id == id && n.OwnerId == owner, ct);
        var version = note is null
            ? null
            : await db.NoteVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Id == versionId && v.NoteId == id, ct);
        if (note is null || version is null)
        {
            return Problems.NotFound(note is null ? "note" : "version");
        }

        // Back into its pad if that is still one of mine (a deleted pad's id is null by now).
        var pad = version.PadId is { } padId ? await db.Pads.FirstOrDefaultAsync(p => p.Id == padId && p.OwnerId == owner, ct) : null;
        var growth = NoteQuota.BytesOf(version.Text) - NoteQuota.BytesOf(note.Text);
        if (growth > 0 && services.Quota.Value.Refusal(await NoteQuota.UsageAsync(db, owner, ct), 0, growth) is { } full)
        {
            return full;
        }

        if (!await NotesApi.SaveAsync(db, note, version.Name, version.Text, pad, request.Version!.Value, services, ct))
        {
            return Problems.Stale("note");
        }

        return TypedResults.Ok(await NotesApi.SavedResponseAsync(db, note, ct));
    }
}
