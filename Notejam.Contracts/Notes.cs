using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Notejam.Contracts;

public sealed record NoteSummary(int Id, string Name, PadSummary? Pad, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record NoteResponse(
    int Id, string Name, string Text, PadSummary? Pad, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, uint Version);

public sealed record NotePage(IReadOnlyList<NoteSummary> Items, int TotalCount, int Page, int PageSize)
{
    /// <summary>How many pages the list has (at least one); the site's pager reads it, the API does not send it.</summary>
    [JsonIgnore]
    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);
}

public sealed record CreateNoteRequest(
    [property: Required, StringLength(NotejamLimits.NameMaxLength)] string Name,
    [property: Required, StringLength(NotejamLimits.TextMaxLength)] string Text,
    int? PadId);

public sealed record UpdateNoteRequest(
    [property: Required, StringLength(NotejamLimits.NameMaxLength)] string Name,
    [property: Required, StringLength(NotejamLimits.TextMaxLength)] string Text,
    int? PadId,
    [property: Required] uint? Version);

public sealed record NoteSearchHit(
    int Id,
    string Name,
    PadSummary? Pad,
    DateTimeOffset UpdatedAt,
    [property: Description(
        "A few words of the text around the matches. Each match is enclosed in U+E000 (start) and U+E001 (end); " +
        "the rest is the note's own text, not HTML: encode it before showing it.")]
    string Snippet,
    [property: Description("PostgreSQL's ts_rank: a match in the name counts more than one in the text. Higher is better.")]
    float Rank);

public sealed record NoteSearchPage(IReadOnlyList<NoteSearchHit> Items, int TotalCount, int Page, int PageSize)
{
    /// <summary>How many pages the hits fill (at least one); the site's pager reads it, the API does not send it.</summary>
    [JsonIgnore]
    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);
}
