namespace Notejam.Web.Api;

public sealed record Tokens(string AccessToken, string RefreshToken, int ExpiresIn);

public sealed record Account(int Id, string Email);

public sealed record Pad(int Id, string Name, int NoteCount, uint Version);

public sealed record PadSummary(int Id, string Name);

public sealed record NoteSummary(int Id, string Name, PadSummary? Pad, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record Note(int Id, string Name, string Text, PadSummary? Pad, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, uint Version);

public sealed record NotePage(IReadOnlyList<NoteSummary> Items, int TotalCount, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);
}

/// <summary>A note found by a search; <see cref="Snippet"/> marks each match between U+E000 and U+E001.</summary>
public sealed record NoteSearchHit(int Id, string Name, PadSummary? Pad, DateTimeOffset UpdatedAt, string Snippet, float Rank);

public sealed record NoteSearchPage(IReadOnlyList<NoteSearchHit> Items, int TotalCount, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);
}

/// <summary>What the API answered to a change: done, or why not.</summary>
public sealed class ApiOutcome<T>
{
    public T? Value { get; init; }

    public int Status { get; init; }

    public string? Title { get; init; }

    public string? Detail { get; init; }

    /// <summary>Validation errors by the API's field name (camelCase).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; init; } = new Dictionary<string, string[]>();

    public bool Succeeded => Status is >= 200 and < 300;

    public bool NotFound => Status == 404;

    public bool Conflict => Status == 409;
}

/// <summary>What an import added: notes, new pads, and pads that joined one of the same name.</summary>
public sealed record ImportSummary(int NotesImported, int PadsCreated, int PadsMerged);

/// <summary>A file the API is sending: its type, its name, and its bytes as they arrive.</summary>
public sealed class ApiDownload(HttpResponseMessage response) : IDisposable
{
    public string ContentType => response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";

    public string FileName => response.Content.Headers.ContentDisposition is { } disposition
        ? (disposition.FileNameStar ?? disposition.FileName?.Trim('"') ?? "notejam-export")
        : "notejam-export";

    public Task<Stream> OpenAsync(CancellationToken ct) => response.Content.ReadAsStreamAsync(ct);

    public void Dispose() => response.Dispose();
}

/// <summary>The API refused the person's token: the session is over.</summary>
public sealed class SessionExpiredException() : Exception("The API no longer accepts this session's token.");
