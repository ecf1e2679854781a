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

public sealed record TransferNote(
    string? Name,
    string? Text,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    [property: System.ComponentModel.Description("The note's earlier versions, newest first: in an export asked for with history=true, kept by an import.")]
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<TransferVersion?>? History = null);

/// <summary>What a note was before one of its saves, and the name of the pad it was in then (null for none).</summary>
public sealed record TransferVersion(string? Name, string? Text, string? Pad, DateTimeOffset? SavedAt);
