using System.ComponentModel.DataAnnotations;

namespace Notejam.Api.Notes;

/// <summary>
/// A note as it was before one of its saves (an edit, or a restore): kept so its owner can read it, see what changed,
/// and take it back. Deleted with the note or its owner; at most <see cref="NoteHistoryOptions.VersionsPerNote"/> per
/// note, the oldest dropped in the transaction of the save that passes that.
/// </summary>
public sealed class NoteVersion
{
    public long Id { get; set; }

    public int NoteId { get; set; }

    /// <summary>Set when the note is new in the same save (an import), so that EF fills in <see cref="NoteId"/>.</summary>
    public Note? Note { get; set; }

    public int OwnerId { get; set; }

    /// <summary>The pad the note was in; null when in none, or when that pad has since been deleted.</summary>
    public int? PadId { get; set; }

    /// <summary>Set when the pad is new in the same save (an import), so that EF fills in <see cref="PadId"/>.</summary>
    public Pads.Pad? Pad { get; set; }

    public required string Name { get; set; }

    public required string Text { get; set; }

    /// <summary>When the note was saved as this version (its UpdatedAt then).</summary>
    public DateTimeOffset SavedAt { get; set; }
}

/// <summary><c>Notejam:History</c>: how much of its notes' past an account keeps.</summary>
public sealed class NoteHistoryOptions
{
    public const string Section = "Notejam:History";

    /// <summary>Earlier versions each note keeps; the oldest go in the transaction of the save that passes it.</summary>
    [Range(1, 1000)]
    public int VersionsPerNote { get; set; } = 50;

    /// <summary>
    /// The UTF-8 bytes of version texts one account keeps, all notes together; past it, the account's oldest versions
    /// go, in the transaction of the save or import that passed it. Without it the note quota would not bound the disk:
    /// 50 versions of every note could hold 50 times the quota.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long BytesPerAccount { get; set; } = 100L * 1024 * 1024;
}
