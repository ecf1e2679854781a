// The API's answers are Notejam.Contracts' records, shared with Notejam.Api (one definition of each); the site names
// them as its pages speak of them.
global using ImportSummary = Notejam.Contracts.ImportResult;
global using Note = Notejam.Contracts.NoteResponse;
global using Pad = Notejam.Contracts.PadResponse;
global using Tokens = Microsoft.AspNetCore.Authentication.BearerToken.AccessTokenResponse;

namespace Notejam.Web.Api;

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
