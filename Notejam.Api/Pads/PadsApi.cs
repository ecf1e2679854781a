using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;
using Notejam.Api.Users;

namespace Notejam.Api.Pads;

/// <summary>/pads: a user's pads. Another user's pad is a 404 for every verb.</summary>
internal static class PadsApi
{
    public static RouteGroupBuilder MapPads(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/pads").WithTags("Pads").RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized);

        group.MapGet("/", ListPads).WithName(nameof(ListPads)).WithSummary("My pads, by name, each with its number of notes").WithDataVersionETag();
        group.MapGet("/{id:int}", GetPad).WithName(nameof(GetPad)).WithSummary("One of my pads").WithDataVersionETag()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreatePad).WithName(nameof(CreatePad)).WithSummary("Makes a pad").ProducesValidationProblem();
        group.MapPut("/{id:int}", UpdatePad).WithName(nameof(UpdatePad)).WithSummary("Renames a pad, from the version it was read at")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        // The pad's notes go with it (ON DELETE CASCADE).
        group.MapDelete("/{id:int}", DeletePad).WithName(nameof(DeletePad)).WithSummary("Deletes one of my pads with its notes")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Ok<List<PadResponse>>> ListPads(ClaimsPrincipal user, NotejamDb db, CancellationToken ct) =>
        TypedResults.Ok(await db.Pads.Where(p => p.OwnerId == user.Id())
            .OrderBy(p => p.Name).ThenBy(p => p.Id)
            .Select(p => new PadResponse(p.Id, p.Name, db.PadNoteCounts.Where(c => c.PadId == p.Id).Select(c => c.Count).FirstOrDefault(), p.Version))
            .ToListAsync(ct));

    public static async Task<Results<Ok<PadResponse>, ProblemHttpResult>> GetPad(int id, ClaimsPrincipal user, NotejamDb db, CancellationToken ct) =>
        await db.Pads.Where(p => p.Id == id && p.OwnerId == user.Id())
                .Select(p => new PadResponse(p.Id, p.Name, db.PadNoteCounts.Where(c => c.PadId == p.Id).Select(c => c.Count).FirstOrDefault(), p.Version))
                .FirstOrDefaultAsync(ct) is { } pad
            ? TypedResults.Ok(pad)
            : PadNotFound();

    public static async Task<Created<PadResponse>> CreatePad(
        CreatePadRequest request, ClaimsPrincipal user, NotejamDb db, NotejamMetrics metrics, CancellationToken ct)
    {
        var pad = new Pad { OwnerId = user.Id(), Name = request.Name.Trim() };
        db.Pads.Add(pad);
        await db.SaveChangesAsync(ct);
        metrics.PadCreated();
        return TypedResults.Created($"/pads/{pad.Id}", new PadResponse(pad.Id, pad.Name, 0, pad.Version));
    }

    public static async Task<Results<Ok<PadResponse>, ProblemHttpResult>> UpdatePad(
        int id, UpdatePadRequest request, ClaimsPrincipal user, NotejamDb db, CancellationToken ct)
    {
        var pad = await db.Pads.FirstOrDefaultAsync(p => p.Id == id && p.OwnerId == user.Id(), ct);
        if (pad is null)
        {
            return PadNotFound();
        }

        db.Entry(pad).Property(p => p.Version).OriginalValue = request.Version!.Value;
        pad.Name = request.Name.Trim();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Stale("pad");
        }

        var noteCount = await db.PadNoteCounts.Where(c => c.PadId == pad.Id).Select(c => c.Count).FirstOrDefaultAsync(ct);
        return TypedResults.Ok(new PadResponse(pad.Id, pad.Name, noteCount, pad.Version));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeletePad(
        int id, ClaimsPrincipal user, NotejamDb db, NotejamMetrics metrics, CancellationToken ct)
    {
        if (await db.Pads.Where(p => p.Id == id && p.OwnerId == user.Id()).ExecuteDeleteAsync(ct) == 0)
        {
            return PadNotFound();
        }

        metrics.PadDeleted();
        return TypedResults.NoContent();
    }

    public static ProblemHttpResult PadNotFound() => Problems.NotFound("pad");
}
