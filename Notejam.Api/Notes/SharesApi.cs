using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;
using Notejam.Api.Limits;
using Notejam.Api.Users;
using Npgsql;

namespace Notejam.Api.Notes;

/// <summary>
/// Read-only links to a note. The owner makes one (<c>PUT /notes/{id}/share</c>) and revokes it (<c>DELETE</c>); anyone
/// with the link reads the note as it is now (<c>GET /shared/{token}</c>), without an account. A link that opens nothing
/// is counted against the asking address (<see cref="AccountLimitOptions.SharedLinkMissesPerAddress"/>), so that guessing
/// runs into a 429 long before it could find anything in 2^256.
/// </summary>
internal static class SharesApi
{
    public const string NoSuchLink = "shared note";

    public static IEndpointRouteBuilder MapShares(this IEndpointRouteBuilder routes)
    {
        var mine = routes.MapGroup("/notes/{id:int}/share").WithTags("Sharing").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapPut("/", ShareNote).WithName(nameof(ShareNote))
            .WithSummary("Makes a read-only link to one of my notes, or gives the one it has");
        mine.MapDelete("/", StopSharingNote).WithName(nameof(StopSharingNote))
            .WithSummary("Revokes the note's link: it opens nothing from now on");

        routes.MapGet("/shared/{token}", ReadSharedNote).WithTags("Sharing").WithName(nameof(ReadSharedNote)).AllowAnonymous()
            .WithSummary("A shared note, as it is now, for anyone with its link")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    public static async Task<Results<Ok<NoteShareResponse>, ProblemHttpResult>> ShareNote(
        int id, ClaimsPrincipal user, NotejamDb db, TimeProvider clock, CancellationToken ct)
    {
        var owner = user.Id();
        for (var attempt = 0; ; attempt++)
        {
            var note = await db.Notes.Where(n => n.Id == id && n.OwnerId == owner)
                .Select(n => new { Share = db.NoteShares.Where(s => s.NoteId == n.Id).Select(s => new NoteShareResponse(s.Token, s.CreatedAt)).FirstOrDefault() })
                .FirstOrDefaultAsync(ct);
            if (note is null)
            {
                return Problems.NotFound("note");
            }

            if (note.Share is not null)
            {
                return TypedResults.Ok(note.Share);
            }

            var now = clock.GetUtcNow();
            var share = new NoteShare { NoteId = id, OwnerId = owner, Token = NoteShare.NewToken(), CreatedAt = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond)) };
            db.NoteShares.Add(share);
            try
            {
                await db.SaveChangesAsync(ct);
                return TypedResults.Ok(new NoteShareResponse(share.Token, share.CreatedAt));
            }
            catch (DbUpdateException e) when (attempt == 0 && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation })
            {
                // Shared twice at once (the other one won: give its link), or deleted meanwhile (the next read says 404).
                db.ChangeTracker.Clear();
            }
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> StopSharingNote(int id, ClaimsPrincipal user, NotejamDb db, CancellationToken ct)
    {
        var owner = user.Id();
        if (await db.NoteShares.Where(s => s.NoteId == id && s.OwnerId == owner).ExecuteDeleteAsync(ct) > 0
            || await db.Notes.AnyAsync(n => n.Id == id && n.OwnerId == owner, ct))
        {
            return TypedResults.NoContent();
        }

        return Problems.NotFound("note");
    }

    public static async Task<Results<Ok<SharedNoteResponse>, ProblemHttpResult, ProblemHttpResultWithWait>> ReadSharedNote(
        string token, HttpContext http, NotejamDb db, AccountLimits limits, CancellationToken ct)
    {
        // A shared cache must not keep a note past its link's revocation.
        http.Response.Headers.CacheControl = "no-store";
        var address = http.Connection.RemoteIpAddress;
        if (await limits.WaitAsync(AccountLimit.SharedLinkMisses, address, ct) is { } wait)
        {
            return limits.TooMany(AccountLimit.SharedLinkMisses, wait, "Too many share links that open nothing from this address. Wait a while, then try again.");
        }

        // One equality lookup on a unique index, whatever the token: a token that shares a prefix with a real one takes
        // no measurably different path (Sharing/ShareLinkTests times both).
        var note = ShareTokens.IsWellFormed(token)
            ? await db.NoteShares.Where(s => s.Token == token)
                .Join(db.Notes, s => s.NoteId, n => n.Id, (s, n) => new SharedNoteResponse(n.Name, n.Text, n.UpdatedAt))
                .FirstOrDefaultAsync(ct)
            : null;
        if (note is not null)
        {
            return TypedResults.Ok(note);
        }

        await limits.CountAsync(AccountLimit.SharedLinkMisses, address, ct);
        return Problems.NotFound(NoSuchLink);
    }
}
