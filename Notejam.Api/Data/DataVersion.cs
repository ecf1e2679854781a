namespace Notejam.Api.Data;

/// <summary>
/// How many times an account's pads and notes have changed: PostgreSQL's own triggers on Pads and Notes add one in the
/// transaction of every insert, update and delete (migration DataVersions), so no write path can forget it. The reads
/// of /pads and /notes carry it as their ETag (<see cref="ConditionalReads"/>): the same version, the same answers.
/// Never written by EF Core.
/// </summary>
public sealed class DataVersion
{
    public int UserId { get; set; }

    public long Version { get; set; }

    /// <summary>How many notes the account holds, kept by the same triggers (migration NoteCounts): / counts nothing.</summary>
    public int NoteCount { get; set; }

    /// <summary>The UTF-8 bytes of the account's note texts (octet_length), kept the same way: the quota reads one row.</summary>
    public long NoteBytes { get; set; }

    /// <summary>
    /// The UTF-8 bytes of the texts of the account's earlier note versions, kept by triggers on NoteVersions (migration
    /// HistoryBytes): what <c>Notejam:History:BytesPerAccount</c> bounds.
    /// </summary>
    public long HistoryBytes { get; set; }
}
