using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Notejam.Contracts;

public sealed record NoteSummary(
    int Id, string Name, PadSummary? Pad, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    [property: Description("Whether the note can be read by anyone who has its share link.")] bool Shared = false);

public sealed record NoteResponse(
    int Id, string Name, string Text, PadSummary? Pad, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, uint Version,
    [property: Description("The note's share link while it has one; null when it is not shared.")] NoteShareResponse? Share = null);

/// <summary>A note's read-only link: <c>/shared/{Token}/</c> on the site, <c>GET /shared/{Token}</c> in the API.</summary>
public sealed record NoteShareResponse(
    [property: Description("256 random bits, base64url: the whole of what opens the note. Not derived from the note.")] string Token,
    DateTimeOffset CreatedAt);

/// <summary>What a share link shows: the note as it is now, and nothing of its owner or pads.</summary>
public sealed record SharedNoteResponse(string Name, string Text, DateTimeOffset UpdatedAt);

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

/// <summary>The form of a share link's token, known to the API that makes them and the site that passes them on.</summary>
public static class ShareTokens
{
    /// <summary>Base64url of 32 bytes, without padding.</summary>
    public const int Length = 43;

    /// <summary>Whether <paramref name="token"/> could be a token at all; checked before any lookup.</summary>
    public static bool IsWellFormed([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

/// <summary>One kept version of a note: what it was before a save.</summary>
public sealed record NoteVersionSummary(long Id, string Name, PadSummary? Pad, DateTimeOffset SavedAt);

public sealed record NoteVersionPage(IReadOnlyList<NoteVersionSummary> Items, int TotalCount, int Page, int PageSize)
{
    /// <summary>How many pages the versions fill (at least one); the site's pager reads it, the API does not send it.</summary>
    [JsonIgnore]
    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);
}

public sealed record NoteVersionResponse(
    long Id,
    string Name,
    string Text,
    PadSummary? Pad,
    [property: Description("When the note was saved as this version (the note's updatedAt then).")] DateTimeOffset SavedAt,
    [property: Description("The name of the version kept before this one, to show what changed; null for the oldest kept.")] string? PreviousName,
    [property: Description("The text of the version kept before this one; null for the oldest kept.")] string? PreviousText);

/// <summary>Restores a kept version, from the note's current version (as read): a stale one is a 409, as for any edit.</summary>
public sealed record RestoreVersionRequest([property: Required] uint? Version);
