namespace Notejam.Api.Transfer;

/// <summary>
/// A whole account, as exported and as imported: every pad with its notes, then the notes without a pad.
/// Ids are left out (they belong to one database); names, texts, pad membership and both times come back exactly.
/// </summary>
public sealed record TransferDocument(
    string? Format,
    int? Version,
    DateTimeOffset? ExportedAt,
    IReadOnlyList<TransferPad?>? Pads,
    IReadOnlyList<TransferNote?>? Notes)
{
    public const string FormatName = "notejam-export";
    public const int CurrentVersion = 1;
}

public sealed record TransferPad(string? Name, IReadOnlyList<TransferNote?>? Notes);

public sealed record TransferNote(string? Name, string? Text, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt);
