using System.ComponentModel.DataAnnotations;
using Notejam.Api.Pads;

namespace Notejam.Api.Notes;

public sealed class Note
{
    public int Id { get; set; }

    public int OwnerId { get; set; }

    public int? PadId { get; set; }

    public Pad? Pad { get; set; }

    public required string Name { get; set; }

    public required string Text { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's xmin: an update based on a stale copy is refused.</summary>
    [Timestamp]
    public uint Version { get; set; }
}
