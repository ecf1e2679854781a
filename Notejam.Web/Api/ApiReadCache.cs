using System.Security.Claims;
using Microsoft.Extensions.Caching.Memory;
using Notejam.Web.Account;

namespace Notejam.Web.Api;

/// <summary>
/// What this web replica last received from the API's conditional reads (/pads, /notes, a pad, a note), per person and
/// URL, with the ETag it came with. Every page still asks the API, with If-None-Match, so the API checks the session
/// (a revoked one is refused at once) and the account's data version (a write through any replica of the web or the api
/// changes it); a 304 answers with no body and the kept value is used. Within one page the ETag the API just confirmed
/// (one per account and version) validates the other kept values of that person without another call: the sidebar's
/// pads come with the page's notes. Kept under the person's account id from their authenticated cookie, so one
/// person's answers are never another's; bounded in bytes (the answers' sizes), least recently used first out.
/// </summary>
/// <remarks>
/// A MemoryCache and not HybridCache: HybridCache's GetOrCreateAsync hands back a kept value without a way to
/// revalidate it first, and revalidating on every use is the point here. Replicas keep their own: nothing to share.
/// </remarks>
public sealed class ApiReadCache : IDisposable
{
    /// <summary>The values one replica keeps, in bytes of the API's answers.</summary>
    public const long SizeLimitBytes = 32 * 1024 * 1024;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = SizeLimitBytes });

    internal sealed record Entry(string ETag, object Value);

    /// <summary>
    /// The account and sign-in a request is signed in as, or null: anonymous requests, and cookies issued before sign-ins
    /// were told apart (<see cref="NotejamSession.SignInClaim"/>), keep nothing.
    /// </summary>
    internal static string? AccountOf(HttpContext? context) =>
        context?.User.Identity?.IsAuthenticated == true &&
        context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } id &&
        context.User.FindFirstValue(NotejamSession.SignInClaim) is { } signIn
            ? $"{id}/{signIn}"
            : null;

    internal Entry? Find(string account, string url) => _cache.Get<Entry>((account, url));

    internal void Keep(string account, string url, Entry entry, long bytes) =>
        _cache.Set((account, url), entry, new MemoryCacheEntryOptions
        {
            Size = Math.Max(bytes, 1),
            SlidingExpiration = TimeSpan.FromMinutes(20),
        });

    public void Dispose() => _cache.Dispose();
}

/// <summary>
/// The ETag the API confirmed or sent during this request: the account's data version as of this page. Scoped (one per
/// request) and safe for a page's parallel API calls, which HttpContext.Items is not.
/// </summary>
public sealed class ConfirmedETag
{
    private string? _value;

    public string? Value
    {
        get => Volatile.Read(ref _value);
        set => Volatile.Write(ref _value, value);
    }
}
