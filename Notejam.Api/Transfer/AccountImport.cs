using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;
using Notejam.Api.Notes;
using Notejam.Api.Pads;

namespace Notejam.Api.Transfer;

/// <summary>
/// Checks a whole <see cref="TransferDocument"/> against the rules the create endpoints enforce, then adds it to an
/// account in one SaveChanges (one transaction): all of it, or nothing.
/// An imported pad joins the account's pad of the same name, if the account had one before the import; otherwise
/// it becomes a new pad. Notes are always added, never matched, each with its history when the document has one (the
/// newest <c>Notejam:History:VersionsPerNote</c> versions).
/// </summary>
internal static class AccountImport
{
    public const int MaxPads = 1_000;
    public const int MaxNotes = 10_000;

    // No more errors than a person reads; the first one is the one to fix.
    private const int MaxErrors = 20;

    // Times a note can have: after 1970, and not later than a day from now (clocks differ).
    private static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;
    private static readonly TimeSpan Skew = TimeSpan.FromDays(1);

    /// <summary>The problems with the document, keyed by where they are (<c>pads[2].notes[0].name</c>), in document order.</summary>
    public static Dictionary<string, string[]> Validate(TransferDocument? document, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (document is null)
        {
            errors[""] = ["The file holds no export (it is JSON null)."];
            return errors;
        }

        if (document.Format != TransferDocument.FormatName)
        {
            errors["format"] = [$"This is not a Notejam export: \"format\" must be \"{TransferDocument.FormatName}\"."];
        }

        if (document.Version != TransferDocument.CurrentVersion)
        {
            errors["version"] = [document.Version is null
                ? $"The export has no \"version\"; this Notejam reads version {TransferDocument.CurrentVersion}."
                : $"Version {document.Version} is not known; this Notejam reads version {TransferDocument.CurrentVersion}."];
        }

        var pads = document.Pads ?? [];
        var noteCount = (document.Notes?.Count ?? 0) + pads.Sum(p => p?.Notes?.Count ?? 0);
        if (pads.Count > MaxPads)
        {
            errors["pads"] = [$"An import holds at most {MaxPads:N0} pads; this one has {pads.Count:N0}."];
        }

        if (noteCount > MaxNotes)
        {
            errors["notes"] = [$"An import holds at most {MaxNotes:N0} notes; this one has {noteCount:N0}."];
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        for (var p = 0; p < pads.Count && errors.Count < MaxErrors; p++)
        {
            var at = $"pads[{p}]";
            if (pads[p] is not { } pad)
            {
                errors[at] = ["A pad must be an object with a name."];
                continue;
            }

            CheckName(errors, $"{at}.name", pad.Name, NotejamLimits.NameMaxLength, "pad");
            CheckNotes(errors, $"{at}.notes", pad.Notes, now);
        }

        CheckNotes(errors, "notes", document.Notes, now);
        return errors;
    }

    /// <summary>How many notes a valid document adds, and the UTF-8 bytes of their texts (what <see cref="NoteQuota"/> counts).</summary>
    public static (int Notes, long Bytes) Size(TransferDocument document)
    {
        var notes = (document.Notes ?? []).Concat((document.Pads ?? []).SelectMany(p => p!.Notes ?? [])).ToList();
        return (notes.Count, notes.Sum(n => NoteQuota.BytesOf(n!.Text!)));
    }

    /// <summary>Adds a valid document's pads and notes to the owner's account.</summary>
    public static async Task<ImportResult> ImportAsync(NotejamDb db, int owner, TransferDocument document, NoteHistoryOptions history, CancellationToken ct)
    {
        var existing = await db.Pads.Where(p => p.OwnerId == owner).OrderBy(p => p.Id).ToListAsync(ct);
        var byName = existing.DistinctBy(p => p.Name, StringComparer.Ordinal).ToDictionary(p => p.Name, StringComparer.Ordinal);
        // Where a version's pad name leads: the account's pad of that name, or the first this import makes.
        var context = new ImportContext(db, owner, new Dictionary<string, Pad>(byName, StringComparer.Ordinal), history.VersionsPerNote);
        int notes = 0, created = 0, merged = 0;
        foreach (var imported in document.Pads ?? [])
        {
            var name = imported!.Name!.Trim();
            if (byName.GetValueOrDefault(name) is { } pad)
            {
                merged++;
            }
            else
            {
                pad = new Pad { OwnerId = owner, Name = name };
                db.Pads.Add(pad);
                created++;
            }

            context.PadsByName.TryAdd(name, pad);
            notes += Add(context, pad, imported.Notes);
        }

        notes += Add(context, null, document.Notes);
        // The history an import brings counts towards the account's history bytes like any other, in the same transaction.
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            await NoteHistory.TrimAccountAsync(db, owner, history, ct);
            await transaction.CommitAsync(ct);
        });
        return new ImportResult(notes, created, merged);
    }

    private static int Add(ImportContext context, Pad? pad, IReadOnlyList<TransferNote?>? notes)
    {
        foreach (var imported in notes ?? [])
        {
            var note = new Note
            {
                OwnerId = context.Owner,
                Pad = pad,
                Name = imported!.Name!.Trim(),
                Text = imported.Text!,
                CreatedAt = Stored(imported.CreatedAt!.Value),
                UpdatedAt = Stored(imported.UpdatedAt!.Value),
            };
            context.Db.Notes.Add(note);
            // Newest first, as exported; ids in that order would make the newest the oldest: added oldest first.
            foreach (var version in (imported.History ?? []).Take(context.VersionsPerNote).Reverse())
            {
                context.Db.NoteVersions.Add(new NoteVersion
                {
                    Note = note,
                    OwnerId = context.Owner,
                    // The pad it was in, when the account has (or this import makes) a pad of that name; else none.
                    Pad = version!.Pad is { } padName ? context.PadsByName.GetValueOrDefault(padName.Trim()) : null,
                    Name = version.Name!.Trim(),
                    Text = version.Text!,
                    SavedAt = Stored(version.SavedAt!.Value),
                });
            }
        }

        return notes?.Count ?? 0;
    }

    private sealed record ImportContext(NotejamDb Db, int Owner, Dictionary<string, Pad> PadsByName, int VersionsPerNote);

    // PostgreSQL keeps UTC to the microsecond: store exactly what a later export will give back.
    private static DateTimeOffset Stored(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    private static void CheckNotes(Dictionary<string, string[]> errors, string at, IReadOnlyList<TransferNote?>? notes, DateTimeOffset now)
    {
        for (var n = 0; notes is not null && n < notes.Count && errors.Count < MaxErrors; n++)
        {
            var here = $"{at}[{n}]";
            if (notes[n] is not { } note)
            {
                errors[here] = ["A note must be an object with a name, a text and its times."];
                continue;
            }

            CheckName(errors, $"{here}.name", note.Name, NotejamLimits.NameMaxLength, "note");
            if (string.IsNullOrWhiteSpace(note.Text))
            {
                errors[$"{here}.text"] = ["A note needs a text."];
            }
            else if (note.Text.Length > NotejamLimits.TextMaxLength)
            {
                errors[$"{here}.text"] = [$"A note's text is at most {NotejamLimits.TextMaxLength:N0} characters; this one has {note.Text.Length:N0}."];
            }

            CheckTime(errors, $"{here}.createdAt", note.CreatedAt, now);
            CheckTime(errors, $"{here}.updatedAt", note.UpdatedAt, now);
            if (note.CreatedAt > note.UpdatedAt)
            {
                errors[$"{here}.updatedAt"] = ["A note cannot be updated before it was created."];
            }

            CheckHistory(errors, $"{here}.history", note.History, now);
        }
    }

    /// <summary>A note's earlier versions, each checked as a note is (a pad's name, when given, as a pad's).</summary>
    private static void CheckHistory(Dictionary<string, string[]> errors, string at, IReadOnlyList<TransferVersion?>? history, DateTimeOffset now)
    {
        for (var v = 0; history is not null && v < history.Count && errors.Count < MaxErrors; v++)
        {
            var here = $"{at}[{v}]";
            if (history[v] is not { } version)
            {
                errors[here] = ["A version must be an object with a name, a text and the time it was saved."];
                continue;
            }

            CheckName(errors, $"{here}.name", version.Name, NotejamLimits.NameMaxLength, "note");
            if (string.IsNullOrWhiteSpace(version.Text))
            {
                errors[$"{here}.text"] = ["A version needs a text."];
            }
            else if (version.Text.Length > NotejamLimits.TextMaxLength)
            {
                errors[$"{here}.text"] = [$"A note's text is at most {NotejamLimits.TextMaxLength:N0} characters; this one has {version.Text.Length:N0}."];
            }

            if (version.Pad is not null)
            {
                CheckName(errors, $"{here}.pad", version.Pad, NotejamLimits.NameMaxLength, "pad");
            }

            CheckTime(errors, $"{here}.savedAt", version.SavedAt, now);
        }
    }

    private static void CheckName(Dictionary<string, string[]> errors, string at, string? name, int maxLength, string what)
    {
        // As the create endpoints: required (not blank), and at most so many characters as given.
        if (string.IsNullOrWhiteSpace(name))
        {
            errors[at] = [$"A {what} needs a name."];
        }
        else if (name.Length > maxLength)
        {
            errors[at] = [$"A {what} name is at most {maxLength} characters; this one has {name.Length}."];
        }
    }

    private static void CheckTime(Dictionary<string, string[]> errors, string at, DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is null)
        {
            errors[at] = ["A note needs this time (ISO 8601, such as 2026-11-28T10:51:00Z)."];
        }
        else if (time < Earliest || time > now + Skew)
        {
            errors[at] = [string.Create(CultureInfo.InvariantCulture,
                $"{time:yyyy-MM-dd} is not a time a note can have: from 1970 to today.")];
        }
    }
}
