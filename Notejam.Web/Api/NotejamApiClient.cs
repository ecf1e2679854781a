using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Notejam.Web.Account;

namespace Notejam.Web.Api;

/// <summary>
/// The web's only way to the data: Notejam.Api, found by service discovery as <c>https+http://api</c>.
/// <see cref="ApiTokenHandler"/> adds the signed-in person's bearer token to every call. Exports and imports, which
/// move a whole account, go through <see cref="TransferClient"/>, whose timeouts allow for that.
/// </summary>
public sealed class NotejamApiClient(
    HttpClient http, IHttpClientFactory clients, RateLimitedCounter rateLimited, ApiReadCache readCache, IHttpContextAccessor accessor,
    ConfirmedETag confirmed)
{
    public const string TransferClient = "api-transfers";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<ApiOutcome<UserResponse>> RegisterAsync(string email, string password, string repeatPassword, CancellationToken ct) =>
        SendAsync<UserResponse>(HttpMethod.Post, "/users/register", new RegisterRequest(email, password, repeatPassword), ct);

    public Task<ApiOutcome<Tokens>> SignInAsync(string email, string password, CancellationToken ct) =>
        SendAsync<Tokens>(HttpMethod.Post, "/users/signin", new SignInRequest(email, password), ct);

    public Task<ApiOutcome<Tokens>> RefreshAsync(string refreshToken, CancellationToken ct) =>
        SendAsync<Tokens>(HttpMethod.Post, "/users/refresh", new RefreshRequest(refreshToken), ct);

    /// <summary>Who a freshly issued access token belongs to.</summary>
    public async Task<UserResponse> MeAsync(string accessToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/users/me", UriKind.Relative));
        request.Headers.Authorization = new("Bearer", accessToken);
        using var response = await http.SendAsync(request, ct);
        ThrowIfSessionExpired(response);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<UserResponse>(Json, ct))!;
    }

    public Task<ApiOutcome<object>> SignOutEverywhereAsync(CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, "/users/me/signout", null, ct);

    /// <summary>The new password; the answer is this session's next tokens (every other session has ended).</summary>
    public Task<ApiOutcome<Tokens>> ChangePasswordAsync(string oldPassword, string newPassword, string repeatNewPassword, CancellationToken ct) =>
        SendAsync<Tokens>(HttpMethod.Post, "/users/me/password", new ChangePasswordRequest(oldPassword, newPassword, repeatNewPassword), ct);

    public Task<ApiOutcome<object>> ForgotPasswordAsync(string email, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, "/users/forgot-password", new ForgotPasswordRequest(email), ct);

    public Task<ApiOutcome<object>> ResetPasswordAsync(string email, string token, string newPassword, string repeatNewPassword, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, "/users/reset-password", new ResetPasswordRequest(email, token, newPassword, repeatNewPassword), ct);

    public async Task<IReadOnlyList<Pad>> PadsAsync(CancellationToken ct) => await ConditionalGetAsync<List<Pad>>("/pads", ct) ?? [];

    public Task<Pad?> PadAsync(int id, CancellationToken ct) => ConditionalGetAsync<Pad>($"/pads/{id}", ct);

    public Task<ApiOutcome<Pad>> CreatePadAsync(string name, CancellationToken ct) =>
        SendAsync<Pad>(HttpMethod.Post, "/pads", new CreatePadRequest(name), ct);

    public Task<ApiOutcome<Pad>> RenamePadAsync(int id, string name, uint version, CancellationToken ct) =>
        SendAsync<Pad>(HttpMethod.Put, $"/pads/{id}", new UpdatePadRequest(name, version), ct);

    public Task<ApiOutcome<object>> DeletePadAsync(int id, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Delete, $"/pads/{id}", null, ct);

    /// <summary>A page of my notes (of one pad when <paramref name="padId"/> is set); null when that pad is not mine.</summary>
    public Task<NotePage?> NotesAsync(string order, int? padId, int page, int pageSize, CancellationToken ct) =>
        ConditionalGetAsync<NotePage>($"/notes?order={Uri.EscapeDataString(order)}&page={page}&pageSize={pageSize}{(padId is { } pad ? $"&padId={pad}" : "")}", ct);

    /// <summary>A page of my notes that hold the words of <paramref name="query"/>, best first (at most 200 characters: the API refuses more).</summary>
    public async Task<NoteSearchPage> SearchNotesAsync(string query, int page, int pageSize, CancellationToken ct) =>
        (await GetAsync<NoteSearchPage>($"/notes/search?q={Uri.EscapeDataString(query)}&page={page}&pageSize={pageSize}", ct))!;

    public Task<Note?> NoteAsync(int id, CancellationToken ct) => ConditionalGetAsync<Note>($"/notes/{id}", ct);

    public Task<ApiOutcome<Note>> CreateNoteAsync(string name, string text, int? padId, CancellationToken ct) =>
        SendAsync<Note>(HttpMethod.Post, "/notes", new CreateNoteRequest(name, text, padId), ct);

    public Task<ApiOutcome<Note>> UpdateNoteAsync(int id, string name, string text, int? padId, uint version, CancellationToken ct) =>
        SendAsync<Note>(HttpMethod.Put, $"/notes/{id}", new UpdateNoteRequest(name, text, padId, version), ct);

    public Task<ApiOutcome<object>> DeleteNoteAsync(int id, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Delete, $"/notes/{id}", null, ct);

    /// <summary>A page of the note's earlier versions, newest first; null when the note is not mine.</summary>
    public Task<NoteVersionPage?> NoteVersionsAsync(int id, int page, int pageSize, CancellationToken ct) =>
        GetAsync<NoteVersionPage>($"/notes/{id}/versions?page={page}&pageSize={pageSize}", ct);

    /// <summary>One earlier version of the note with the one kept before it; null when there is no such version of a note of mine.</summary>
    public Task<NoteVersionResponse?> NoteVersionAsync(int id, long versionId, CancellationToken ct) =>
        GetAsync<NoteVersionResponse>($"/notes/{id}/versions/{versionId}", ct);

    public Task<ApiOutcome<Note>> RestoreVersionAsync(int id, long versionId, uint version, CancellationToken ct) =>
        SendAsync<Note>(HttpMethod.Post, $"/notes/{id}/versions/{versionId}/restore", new RestoreVersionRequest(version), ct);

    /// <summary>The note's read-only link: made now, or the one it has.</summary>
    public Task<ApiOutcome<NoteShareResponse>> ShareNoteAsync(int id, CancellationToken ct) =>
        SendAsync<NoteShareResponse>(HttpMethod.Put, $"/notes/{id}/share", null, ct);

    public Task<ApiOutcome<object>> StopSharingNoteAsync(int id, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Delete, $"/notes/{id}/share", null, ct);

    /// <summary>
    /// The note a share link opens, as it is now (null when it opens nothing), asked without the visitor's token: a link
    /// reads the same for everyone, and a visitor's ended session is no reason to send them to sign in. Never kept.
    /// </summary>
    public async Task<SharedNoteResponse?> SharedNoteAsync(string token, CancellationToken ct)
    {
        var outcome = await SendAsync<SharedNoteResponse>(http, HttpMethod.Get, $"/shared/{Uri.EscapeDataString(token)}", null, ct, anonymous: true);
        return outcome.Value;
    }

    /// <summary>Deletes my account with every note and pad; the password (or, for an account without one, a passkey) confirms it.</summary>
    public Task<ApiOutcome<object>> DeleteAccountAsync(string? password, PasskeyAssertionRequest? passkey, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Delete, "/users/me", new DeleteAccountRequest(password, passkey), ct);

    /// <summary>Begins a passkey sign-in: the options the browser's navigator.credentials.get() takes, and the ceremony's id.</summary>
    public Task<ApiOutcome<PasskeyOptionsResponse>> BeginPasskeySignInAsync(CancellationToken ct) =>
        SendAsync<PasskeyOptionsResponse>(http, HttpMethod.Post, "/users/passkeys/options", null, ct, anonymous: true);

    /// <summary>Signs in with the browser's assertion: the tokens of a new session, or why not (401 when refused).</summary>
    public Task<ApiOutcome<Tokens>> SignInWithPasskeyAsync(PasskeyAssertionRequest assertion, CancellationToken ct) =>
        SendAsync<Tokens>(http, HttpMethod.Post, "/users/passkeys/signin", JsonContent.Create(assertion, options: Json), ct, anonymous: true);

    /// <summary>My passkeys, and whether I have a password. Read fresh each time: the settings page is not a hot path.</summary>
    public async Task<PasskeysResponse> PasskeysAsync(CancellationToken ct) =>
        (await GetAsync<PasskeysResponse>("/users/me/passkeys", ct))!;

    public Task<ApiOutcome<PasskeyOptionsResponse>> BeginAddingPasskeyAsync(CancellationToken ct) =>
        SendAsync<PasskeyOptionsResponse>(HttpMethod.Post, "/users/me/passkeys/options", null, ct);

    public Task<ApiOutcome<PasskeyResponse>> AddPasskeyAsync(AddPasskeyRequest request, CancellationToken ct) =>
        SendAsync<PasskeyResponse>(HttpMethod.Post, "/users/me/passkeys", request, ct);

    public Task<ApiOutcome<PasskeyResponse>> RenamePasskeyAsync(string id, string name, CancellationToken ct) =>
        SendAsync<PasskeyResponse>(HttpMethod.Patch, $"/users/me/passkeys/{Uri.EscapeDataString(id)}", new RenamePasskeyRequest(name), ct);

    public Task<ApiOutcome<object>> RemovePasskeyAsync(string id, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Delete, $"/users/me/passkeys/{Uri.EscapeDataString(id)}", null, ct);

    /// <summary>Removes my password (the API keeps it while I have no passkey); the answer is this session's next tokens.</summary>
    public Task<ApiOutcome<Tokens>> RemovePasswordAsync(string password, CancellationToken ct) =>
        SendAsync<Tokens>(HttpMethod.Delete, "/users/me/password", new RemovePasswordRequest(password), ct);

    /// <summary>All my notes as a file (JSON, or Markdown files in a zip), passed on as the API sends it; the caller disposes it.</summary>
    public async Task<ApiDownload> ExportAsync(bool zip, bool withHistory, CancellationToken ct)
    {
        var url = zip ? "/users/me/export.zip" : withHistory ? "/users/me/export?history=true" : "/users/me/export";
        var response = await clients.CreateClient(TransferClient).GetAsync(
            new Uri(url, UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, ct);
        try
        {
            ThrowIfSessionExpired(response);
            response.EnsureSuccessStatusCode();
            return new ApiDownload(response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Adds the notes and pads of an export (JSON, sent on as it is read) to my account: all of them, or none.</summary>
    public Task<ApiOutcome<ImportSummary>> ImportAsync(Stream json, CancellationToken ct)
    {
        var content = new StreamContent(json);
        content.Headers.ContentType = new("application/json");
        return SendAsync<ImportSummary>(clients.CreateClient(TransferClient), HttpMethod.Post, "/users/me/import", content, ct);
    }

    /// <summary>
    /// A read the API answers with an ETag (its conditional reads): asked with If-None-Match when this replica keeps an
    /// answer for this person and URL, not asked at all when this page already learned that answer is current
    /// (see <see cref="ApiReadCache"/>). The values kept are shared between requests: never change them.
    /// </summary>
    private async Task<T?> ConditionalGetAsync<T>(string url, CancellationToken ct) where T : class
    {
        var context = accessor.HttpContext;
        if (ApiReadCache.AccountOf(context) is not { } account)
        {
            return await GetAsync<T>(url, ct);
        }

        var kept = readCache.Find(account, url);
        if (kept is not null && confirmed.Value == kept.ETag)
        {
            return (T)kept.Value;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
        if (kept is not null)
        {
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(kept.ETag));
        }

        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotModified && kept is not null)
        {
            confirmed.Value = kept.ETag;
            return (T)kept.Value;
        }

        var value = await ReadAsync<T>(response, ct);
        if (value is not null && response.Headers.ETag is { } etag)
        {
            var tag = etag.ToString();
            readCache.Keep(account, url, new ApiReadCache.Entry(tag, value), response.Content.Headers.ContentLength ?? 1024);
            confirmed.Value = tag;
        }

        return value;
    }

    private async Task<T?> GetAsync<T>(string url, CancellationToken ct) where T : class
    {
        using var response = await http.GetAsync(new Uri(url, UriKind.Relative), ct);
        return await ReadAsync<T>(response, ct);
    }

    private static async Task<T?> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) where T : class
    {
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        ThrowIfSessionExpired(response);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<T>(Json, ct);
    }

    private Task<ApiOutcome<T>> SendAsync<T>(HttpMethod method, string url, object? body, CancellationToken ct) =>
        SendAsync<T>(http, method, url, body is null ? null : JsonContent.Create(body, options: Json), ct);

    private async Task<ApiOutcome<T>> SendAsync<T>(
        HttpClient client, HttpMethod method, string url, HttpContent? content, CancellationToken ct, bool anonymous = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(url, UriKind.Relative)) { Content = content };
        if (anonymous)
        {
            request.Options.Set(ApiTokenHandler.Anonymous, true);
        }

        using var response = await client.SendAsync(request, ct);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            var value = response.Content.Headers.ContentLength is 0 || typeof(T) == typeof(object)
                ? default
                : await response.Content.ReadFromJsonAsync<T>(Json, ct);
            return new ApiOutcome<T> { Status = status, Value = value };
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized && !anonymous && !url.StartsWith("/users/signin", StringComparison.Ordinal) &&
            !url.StartsWith("/users/refresh", StringComparison.Ordinal))
        {
            throw new SessionExpiredException();
        }

        if (status >= 500)
        {
            response.EnsureSuccessStatusCode();
        }

        // A wait imposed on this visitor's address (not a locked account, which has no Retry-After): the site's 429 page.
        if (response.StatusCode == HttpStatusCode.TooManyRequests && response.Headers.RetryAfter?.Delta is { } wait)
        {
            rateLimited.Add(url);
            throw new TooManyRequestsException(wait);
        }

        var problem = await response.Content.ReadFromJsonAsync<Problem>(Json, ct);
        return new ApiOutcome<T>
        {
            Status = status,
            Title = problem?.Title,
            Detail = problem?.Detail,
            Errors = problem?.Errors ?? new Dictionary<string, string[]>(),
        };
    }

    private static void ThrowIfSessionExpired(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new SessionExpiredException();
        }
    }

    private sealed record Problem(string? Title, string? Detail, Dictionary<string, string[]>? Errors);
}

/// <summary>The API refused this visitor's address for a while; the site answers with its 429 page.</summary>
public sealed class TooManyRequestsException(TimeSpan retryAfter) : Exception("The API rate-limited this client address.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

