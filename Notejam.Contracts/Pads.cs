using System.ComponentModel.DataAnnotations;

namespace Notejam.Contracts;

public sealed record PadResponse(int Id, string Name, int NoteCount, uint Version);

public sealed record CreatePadRequest([property: Required, StringLength(NotejamLimits.NameMaxLength)] string Name);

public sealed record UpdatePadRequest(
    [property: Required, StringLength(NotejamLimits.NameMaxLength)] string Name,
    [property: Required] uint? Version);

public sealed record PadSummary(int Id, string Name);
