using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;

namespace Notejam.Api.Notes;

/// <summary>
/// What a note's history may hold (<see cref="NoteHistoryOptions"/>), enforced by dropping the oldest versions. Called in
/// the transaction of the write that added versions (a save, an import), so no reader sees more than the bounds allow.
/// </summary>
internal static class NoteHistory
{
    /// <summary>After a save of <paramref name="noteId"/>: its versions past the per-note count, then the account's past its bytes.</summary>
    public static async Task TrimAsync(NotejamDb db, int noteId, int owner, NoteHistoryOptions bounds, CancellationToken ct)
    {
        // The (NoteId, Id) index finds the first version past the setting; it and all older go.
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM "NoteVersions" WHERE "NoteId" = {noteId} AND "Id" <= (
                SELECT "Id" FROM "NoteVersions" WHERE "NoteId" = {noteId} ORDER BY "Id" DESC OFFSET {bounds.VersionsPerNote} LIMIT 1)
            """, ct);
        await TrimAccountAsync(db, owner, bounds, ct);
    }

    /// <summary>
    /// Drops the account's oldest versions until what it keeps fits <see cref="NoteHistoryOptions.BytesPerAccount"/>. One
    /// statement, and one indexed read when the account is under (a one-time filter on the kept bytes gates the rest).
    /// </summary>
    public static Task<int> TrimAccountAsync(NotejamDb db, int owner, NoteHistoryOptions bounds, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"""
            DELETE FROM "NoteVersions" WHERE "Id" IN (
                SELECT "Id" FROM (
                    SELECT "Id", sum(octet_length("Text")) OVER (ORDER BY "Id" DESC) AS "KeptWithNewer"
                    FROM "NoteVersions" WHERE "OwnerId" = {owner}) v
                WHERE v."KeptWithNewer" > {bounds.BytesPerAccount})
            AND (SELECT "HistoryBytes" FROM "DataVersions" WHERE "UserId" = {owner}) > {bounds.BytesPerAccount}
            """, ct);
}
