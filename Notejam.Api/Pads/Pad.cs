using System.ComponentModel.DataAnnotations;
using Notejam.Api.Notes;

namespace Notejam.Api.Pads;

public sealed class Pad
{
    public int Id { get; set; }

    public int OwnerId { get; set; }

    public required string Name { get; set; }

    /// <summary>PostgreSQL's xmin: an update based on a stale copy is refused.</summary>
    [Timestamp]
    public uint Version { get; set; }

    public List<Note> Notes { get; } = [];
}
