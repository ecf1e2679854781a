namespace Notejam.Api.Pads;

/// <summary>
/// How many notes a pad holds, kept by PostgreSQL's own triggers on Notes (migration NoteCounts) in the transaction of
/// every insert, move and delete, so the pad list and a pad's page count nothing. Its own table, not a column of Pads:
/// a pad's xmin is its version for renames (409 on a stale one), and adding a note to a pad must not make a rename stale.
/// Never written by EF Core.
/// </summary>
public sealed class PadNoteCount
{
    public int PadId { get; set; }

    public int Count { get; set; }
}
