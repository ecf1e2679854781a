using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;

namespace Notejam.Api.Notes;

/// <summary>
/// How much one account may keep (<c>Notejam:Quota</c>): so many notes, and so many bytes of note text, counted as
/// UTF-8 the way PostgreSQL stores it (octet_length reads a stored text's size without reading the text itself).
/// </summary>
public sealed class NoteQuota
{
    public const string Section = "Notejam:Quota";

    [Range(1, int.MaxValue)]
    public int Notes { get; set; } = 20_000;

    [Range(1, long.MaxValue)]
    public long Bytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>What the owner keeps now: the one row the triggers keep (DataVersion.NoteCount and NoteBytes), or none yet.</summary>
    public static async Task<NoteUsage> UsageAsync(NotejamDb db, int owner, CancellationToken ct) =>
        await db.DataVersions.Where(v => v.UserId == owner).Select(v => new NoteUsage(v.NoteCount, v.NoteBytes)).FirstOrDefaultAsync(ct)
            ?? new NoteUsage(0, 0);

    public static long BytesOf(string text) => System.Text.Encoding.UTF8.GetByteCount(text);

    /// <summary>
    /// The refusal when adding <paramref name="notes"/> notes and <paramref name="bytes"/> bytes to <paramref name="usage"/>
    /// would pass the quota; null when they fit.
    /// </summary>
    public ProblemHttpResult? Refusal(NoteUsage usage, int notes, long bytes, string? what = null)
    {
        // Only what grows is checked: an account already past a lowered quota may still shrink or rename its notes.
        var limit = notes > 0 && usage.Notes + (long)notes > Notes ? string.Create(CultureInfo.InvariantCulture, $"{Notes:N0} notes")
            : bytes > 0 && usage.Bytes + bytes > Bytes ? $"{Size(Bytes)} of text"
            : null;
        if (limit is null)
        {
            return null;
        }

        var title = what is null
            ? $"Your notes have reached the limit of {limit}. Delete some to make room."
            : $"{what} would take your notes past the limit of {limit}. Delete some to make room.";
        // 422: the request is understood and valid, but this account cannot take it now. Not 409, which the API answers
        // for a stale version; not 507, a server fault that clients retry and alerts count; not 413, the request's size.
        return TypedResults.Problem(title: title, statusCode: StatusCodes.Status422UnprocessableEntity,
            extensions: new Dictionary<string, object?> { ["quota"] = new { notes = Notes, bytes = Bytes }, ["usage"] = usage });
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):N0} MB"),
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):N1} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes"),
    };
}

/// <summary>How many notes an account keeps, and the UTF-8 bytes of their texts.</summary>
public sealed record NoteUsage(int Notes, long Bytes);
