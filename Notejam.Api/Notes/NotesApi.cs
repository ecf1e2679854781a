using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notejam.Api.Data;
using Notejam.Api.Pads;
using Notejam.Api.Users;

namespace Notejam.Api.Notes;

/// <summary>What the note endpoints that write are given besides their request (bound with [AsParameters]).</summary>
internal sealed record NoteServices(
    NotejamDb Db, TimeProvider Clock, NotejamMetrics Metrics, IOptions<NoteQuota> Quota, IOptions<NoteHistoryOptions> History);

/// <summary>/notes: a user's notes. Another user's note, or a pad that is not the user's, is a 404.</summary>
internal static class NotesApi
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static RouteGroupBuilder MapNotes(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/notes").WithTags("Notes").RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized);

        // A pad or note that is not mine is a 404, as one that does not exist; a write past the quota is a 422.
        group.MapGet("/", ListNotes).WithName(nameof(ListNotes)).WithSummary("A page of my notes, in the order asked for").WithDataVersionETag()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:int}", GetNote).WithName(nameof(GetNote)).WithSummary("One of my notes").WithDataVersionETag()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateNote).WithName(nameof(CreateNote)).WithSummary("Writes a note, in one of my pads or in none")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPut("/{id:int}", UpdateNote).WithName(nameof(UpdateNote))
            .WithSummary("Changes a note: its name, text and pad, from the version it was read at")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{id:int}", DeleteNote).WithName(nameof(DeleteNote)).WithSummary("Deletes one of my notes")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Results<Ok<NotePage>, ValidationProblem, ProblemHttpResult>> ListNotes(
        ClaimsPrincipal user, NotejamDb db, string? order, int? padId, int page = 1, int pageSize = DefaultPageSize, CancellationToken ct = default)
    {
        var errors = PagingErrors(page, pageSize);
        if (!NoteOrders.IsKnown(order))
        {
            errors["order"] = [$"Order by one of: {string.Join(", ", NoteOrders.All)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var owner = user.Id();
        var notes = db.Notes.Where(n => n.OwnerId == owner);
        int total;
        // The counts the triggers keep (PadNoteCount, DataVersion): one indexed row each, whatever the number of notes.
        if (padId is { } pad)
        {
            if (await db.Pads.Where(p => p.Id == pad && p.OwnerId == owner)
                    .Select(p => (int?)db.PadNoteCounts.Where(c => c.PadId == p.Id).Select(c => c.Count).FirstOrDefault())
                    .FirstOrDefaultAsync(ct) is not { } padCount)
            {
                return PadsApi.PadNotFound();
            }

            notes = notes.Where(n => n.PadId == pad);
            total = padCount;
        }
        else
        {
            total = await db.DataVersions.Where(v => v.UserId == owner).Select(v => v.NoteCount).FirstOrDefaultAsync(ct);
        }

        // The pad's name by a primary-key subquery per row rather than a join: the page comes straight off the order's
        // index (docs/performance.md, the plans), with no join to re-sort.
        var rows = await NoteOrder.Apply(notes, order)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(n => new
            {
                n.Id, n.Name, n.PadId, n.CreatedAt, n.UpdatedAt,
                PadName = db.Pads.Where(p => p.Id == n.PadId).Select(p => p.Name).FirstOrDefault(),
                Shared = db.NoteShares.Any(s => s.NoteId == n.Id),
            })
            .ToListAsync(ct);
        var items = rows.Select(n => new NoteSummary(
            n.Id, n.Name, n.PadId is { } padOfNote ? new PadSummary(padOfNote, n.PadName!) : null, n.CreatedAt, n.UpdatedAt, n.Shared)).ToList();
        return TypedResults.Ok(new NotePage(items, total, page, pageSize));
    }

    public static async Task<Results<Ok<NoteResponse>, ProblemHttpResult>> GetNote(int id, ClaimsPrincipal user, NotejamDb db, CancellationToken ct) =>
        await db.Notes.Where(n => n.Id == id && n.OwnerId == user.Id())
                .Select(n => new NoteResponse(n.Id, n.Name, n.Text,
                    n.Pad == null ? null : new PadSummary(n.Pad.Id, n.Pad.Name), n.CreatedAt, n.UpdatedAt, n.Version,
                    db.NoteShares.Where(s => s.NoteId == n.Id).Select(s => new NoteShareResponse(s.Token, s.CreatedAt)).FirstOrDefault()))
                .FirstOrDefaultAsync(ct) is { } note
            ? TypedResults.Ok(note)
            : NoteNotFound();

    public static async Task<Results<Created<NoteResponse>, ProblemHttpResult>> CreateNote(
        CreateNoteRequest request, ClaimsPrincipal user, [AsParameters] NoteServices services, CancellationToken ct)
    {
        var (db, owner) = (services.Db, user.Id());
        var pad = await FindPadAsync(db, owner, request.PadId, ct);
        if (request.PadId is not null && pad is null)
        {
            return PadsApi.PadNotFound();
        }

        if (services.Quota.Value.Refusal(await NoteQuota.UsageAsync(db, owner, ct), 1, NoteQuota.BytesOf(request.Text)) is { } full)
        {
            return full;
        }

        var now = Now(services.Clock);
        var note = new Note
        {
            OwnerId = owner,
            Pad = pad,
            Name = request.Name.Trim(),
            Text = request.Text,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Notes.Add(note);
        await db.SaveChangesAsync(ct);
        services.Metrics.NoteCreated();
        return TypedResults.Created($"/notes/{note.Id}", ToResponse(note));
    }

    public static async Task<Results<Ok<NoteResponse>, ProblemHttpResult>> UpdateNote(
        int id, UpdateNoteRequest request, ClaimsPrincipal user, [AsParameters] NoteServices services, CancellationToken ct)
    {
        var (db, owner) = (services.Db, user.Id());
        var note = await db.Notes.FirstOrDefaultAsync(n => n.Id == id && n.OwnerId == owner, ct);
        if (note is null)
        {
            return NoteNotFound();
        }

        var pad = await FindPadAsync(db, owner, request.PadId, ct);
        if (request.PadId is not null && pad is null)
        {
            return PadsApi.PadNotFound();
        }

        var growth = NoteQuota.BytesOf(request.Text) - NoteQuota.BytesOf(note.Text);
        if (growth > 0 && services.Quota.Value.Refusal(await NoteQuota.UsageAsync(db, owner, ct), 0, growth) is { } full)
        {
            return full;
        }

        if (!await SaveAsync(db, note, request.Name.Trim(), request.Text, pad, request.Version!.Value, services, ct))
        {
            return Problems.Stale("note");
        }

        return TypedResults.Ok(await SavedResponseAsync(db, note, ct));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteNote(
        int id, ClaimsPrincipal user, NotejamDb db, NotejamMetrics metrics, CancellationToken ct)
    {
        if (await db.Notes.Where(n => n.Id == id && n.OwnerId == user.Id()).ExecuteDeleteAsync(ct) == 0)
        {
            return NoteNotFound();
        }

        metrics.NoteDeleted();
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Saves a note's new name, text and pad, from the version of it the caller read; what it was before is kept as a
    /// <see cref="NoteVersion"/> (when anything changes), and the versions past <c>Notejam:History:VersionsPerNote</c>
    /// and the account's past <c>Notejam:History:BytesPerAccount</c> are dropped, oldest first, in the same transaction. False, and nothing saved, when the note changed since.
    /// </summary>
    internal static async Task<bool> SaveAsync(
        NotejamDb db, Note note, string name, string text, Pad? pad, uint readVersion, NoteServices services, CancellationToken ct)
    {
        var changed = note.Name != name || note.Text != text || note.PadId != pad?.Id;
        if (changed)
        {
            db.NoteVersions.Add(new NoteVersion
            {
                NoteId = note.Id, OwnerId = note.OwnerId, PadId = note.PadId, Name = note.Name, Text = note.Text, SavedAt = note.UpdatedAt,
            });
        }

        db.Entry(note).Property(n => n.Version).OriginalValue = readVersion;
        note.Name = name;
        note.Text = text;
        note.Pad = pad;
        note.PadId = pad?.Id;
        note.UpdatedAt = Now(services.Clock);
        try
        {
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                await db.SaveChangesAsync(ct);
                if (changed)
                {
                    await NoteHistory.TrimAsync(db, note.Id, note.OwnerId, services.History.Value, ct);
                }

                await transaction.CommitAsync(ct);
            });
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }

        return true;
    }

    /// <summary>What is wrong with a page of notes asked for, by field; empty when nothing is.</summary>
    public static Dictionary<string, string[]> PagingErrors(int page, int pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (page < 1)
        {
            errors["page"] = ["Pages are numbered from 1."];
        }

        if (pageSize is < 1 or > MaxPageSize)
        {
            errors["pageSize"] = [$"A page holds 1 to {MaxPageSize} notes."];
        }
        else if ((page - 1L) * pageSize > int.MaxValue)
        {
            // Past any note there could be, and past what the OFFSET can count.
            errors["page"] = ["There is no such page."];
        }

        return errors;
    }

    // PostgreSQL keeps microseconds: the answer shows what a later read will show.
    private static DateTimeOffset Now(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    private static ProblemHttpResult NoteNotFound() => Problems.NotFound("note");

    private static async Task<Pad?> FindPadAsync(NotejamDb db, int owner, int? padId, CancellationToken ct) =>
        padId is { } id ? await db.Pads.FirstOrDefaultAsync(p => p.Id == id && p.OwnerId == owner, ct) : null;

    /// <summary>A note just saved as the API answers it: with its share link, which the save did not touch.</summary>
    internal static async Task<NoteResponse> SavedResponseAsync(NotejamDb db, Note note, CancellationToken ct) =>
        ToResponse(note) with
        {
            Share = await db.NoteShares.Where(s => s.NoteId == note.Id).Select(s => new NoteShareResponse(s.Token, s.CreatedAt)).FirstOrDefaultAsync(ct),
        };

    private static NoteResponse ToResponse(Note note) => new(
        note.Id, note.Name, note.Text, note.Pad is null ? null : new PadSummary(note.Pad.Id, note.Pad.Name),
        note.CreatedAt, note.UpdatedAt, note.Version);
}
