using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Notejam.Api;

/// <summary>
/// Conditional reads of a person's pads and notes (RFC 9110, section 13.1.2 If-None-Match; 15.4.5 304 Not Modified).
/// The validator is the account's data version (<see cref="Data.DataVersion"/>), which the per-request session check
/// reads in its own round trip, so a read whose answer has not changed costs that one indexed lookup and no body: the
/// handler does not run. Same account and version, same answers: the weak ETag names both, so a validator of one
/// account never matches another's. Answers that carry it are <c>Cache-Control: private, no-cache</c> (kept only by
/// the one client that asked, revalidated on every use) instead of no-store.
/// </summary>
public static class ConditionalReads
{
    /// <summary>The account's data version as of this request; its ETag is written only for a conditional read.</summary>
    private sealed class Version(HttpContext context, long value)
    {
        private string? _etag;

        public string ETag => _etag ??= string.Create(CultureInfo.InvariantCulture,
            $"W/\"{context.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value}.{value}\"");
    }

    /// <summary>Called by the session check of a signed-in request with the account's current data version.</summary>
    internal static void Remember(HttpContext context, long version) => context.Features.Set(new Version(context, version));

    /// <summary>The ETag this request's answer carries when it is a conditional read, else null.</summary>
    public static string? ETagOf(HttpContext context) => context.Features.Get<Version>()?.ETag;

    /// <summary>Answers 304 to a matching If-None-Match before the handler runs; gives a successful answer its ETag.</summary>
    public static RouteHandlerBuilder WithDataVersionETag(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            if (context.Features.Get<Version>() is not { } version)
            {
                return await next(invocation);
            }

            if (Matches(context.Request.Headers.IfNoneMatch, version.ETag))
            {
                MarkValidated(context.Response, version.ETag);
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }

            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode == StatusCodes.Status200OK)
                {
                    MarkValidated(context.Response, version.ETag);
                }

                return Task.CompletedTask;
            });
            return await next(invocation);
        })
        .Produces(StatusCodes.Status304NotModified);

    private static void MarkValidated(HttpResponse response, string etag)
    {
        response.Headers.ETag = etag;
        response.Headers.CacheControl = "private, no-cache";
    }

    // If-None-Match compares weakly (RFC 9110, 13.1.2): W/"x" matches W/"x" and "x". "*" is not honoured: it would answer
    // 304 for a note that is not this person's (or does not exist) instead of 404.
    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        if (ifNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var tags))
        {
            return false;
        }

        var current = EntityTagHeaderValue.Parse(etag);
        return tags.Any(tag => tag.Compare(current, useStrongComparison: false));
    }
}
