using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using Notejam.Web.Api;

namespace Notejam.Web.Rendering;

/// <summary>
/// Marks a page whose HTML depends only on the signed-in person's data (as of the API's ETag, the account's data
/// version), on what this browser sent (its antiforgery cookie, its time zone) and on the day: <see cref="RenderedPages"/>
/// keeps what it rendered and sends it again while the API confirms that nothing changed.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class KeepRenderedAttribute : Attribute;

/// <summary>
/// The HTML of the <see cref="KeepRenderedAttribute"/> pages this replica rendered, per person, URL, browser and day.
/// The page's handler still runs first, so the API is still asked on every request (with If-None-Match): a revoked
/// session is refused, another person's note is a 404, and a write through any replica changes the ETag. Only when the
/// handler's answer is the page and the ETag it confirmed is the one the kept HTML was rendered from is the rendering
/// (Razor, the sidebar, the antiforgery token) skipped. Never kept: an answer that sets a cookie (a new antiforgery
/// cookie, a flash message read), a request carrying a flash message, anything but a 200.
/// </summary>
public sealed class RenderedPages : IAsyncPageFilter, IAsyncResultFilter, IDisposable
{
    /// <summary>The HTML one replica keeps, in bytes.</summary>
    public const long SizeLimitBytes = 32 * 1024 * 1024;

    private const string AntiforgeryCookie = "notejam-antiforgery";
    private const string FlashCookie = "notejam-flash";

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = SizeLimitBytes });

    private long _sentAgain;

    /// <summary>How many times this replica sent a page it kept instead of rendering it (for tests and diagnostics).</summary>
    public long SentAgain => Interlocked.Read(ref _sentAgain);

    private sealed record Key(string Account, string Url, string Antiforgery, string Zone, DateOnly Day);

    private sealed record Kept(string ETag, byte[] Html, KeyValuePair<string, StringValues>[] Headers);

    private sealed record ToKeep(Key Key, string ETag);

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var executed = await next();
        var http = context.HttpContext;
        if (executed.Result is not PageResult || executed.Exception is not null ||
            !HttpMethods.IsGet(http.Request.Method) || http.Request.Cookies.ContainsKey(FlashCookie) ||
            !context.ActionDescriptor.HandlerTypeInfo.IsDefined(typeof(KeepRenderedAttribute), inherit: false) ||
            ApiReadCache.AccountOf(http) is not { } account ||
            http.RequestServices.GetRequiredService<ConfirmedETag>().Value is not { } etag)
        {
            return;
        }

        var clock = http.RequestServices.GetRequiredService<PersonClock>();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(
            http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(), clock.Zone).DateTime);
        var key = new Key(account, http.Request.Path + http.Request.QueryString,
            http.Request.Cookies[AntiforgeryCookie] ?? "", clock.Zone.Id, today);
        if (_cache.Get<Kept>(key) is { } kept && kept.ETag == etag)
        {
            executed.Result = new KeptResult(kept, this);
        }
        else
        {
            http.Items[typeof(RenderedPages)] = new ToKeep(key, etag);
        }
    }

    /// <summary>Renders the page as Razor Pages would, and keeps the bytes and the headers the rendering set.</summary>
    public async Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Result is not PageResult || context.HttpContext.Items[typeof(RenderedPages)] is not ToKeep toKeep)
        {
            await next();
            return;
        }

        var response = context.HttpContext.Response;
        var before = response.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        var body = response.Body;
        using var buffer = new MemoryStream();
        response.Body = buffer;
        ResultExecutedContext executed;
        try
        {
            executed = await next();
        }
        finally
        {
            response.Body = body;
        }

        if (executed.Exception is null && response.StatusCode == StatusCodes.Status200OK && response.Headers.SetCookie.Count == 0)
        {
            var set = response.Headers
                .Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) &&
                    !(before.TryGetValue(h.Key, out var old) && old == h.Value))
                .ToArray();
            Keep(toKeep.Key, new Kept(toKeep.ETag, buffer.ToArray(), set));
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(body, context.HttpContext.RequestAborted);
    }

    private void Keep(Key key, Kept kept) =>
        _cache.Set(key, kept, new MemoryCacheEntryOptions
        {
            Size = kept.Html.Length + 256,
            SlidingExpiration = TimeSpan.FromMinutes(20),
        });

    public void Dispose() => _cache.Dispose();

    /// <summary>What <see cref="OnResultExecutionAsync"/> kept: the same headers, the same bytes.</summary>
    private sealed class KeptResult(Kept kept, RenderedPages pages) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context)
        {
            Interlocked.Increment(ref pages._sentAgain);
            var response = context.HttpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            foreach (var (name, value) in kept.Headers)
            {
                response.Headers[name] = value;
            }

            response.ContentLength = kept.Html.Length;
            return response.Body.WriteAsync(kept.Html, context.HttpContext.RequestAborted).AsTask();
        }
    }
}
