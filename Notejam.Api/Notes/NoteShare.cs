using System.Buffers.Text;
using System.Security.Cryptography;

namespace Notejam.Api.Notes;

/// <summary>
/// A note's read-only link. At most one per note; revoking deletes the row, and deleting the note or its owner deletes it
/// by cascade. Its own table, not a column of Notes: sharing changes nothing of the note itself (not its xmin, so an
/// edit begun before sharing still saves; not its UpdatedAt).
/// </summary>
public sealed class NoteShare
{
    public int NoteId { get; set; }

    /// <summary>The note's owner: the data-version trigger bumps this account's version when a share comes or goes.</summary>
    public int OwnerId { get; set; }

    public required string Token { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>256 bits (<see cref="ShareTokens.Length"/> characters) from the operating system's cryptographic generator: nothing of the note, its owner or the time.</summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
