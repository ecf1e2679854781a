using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;

namespace Notejam.Web.Api;

/// <summary>
/// Forwards the signed-in person's API token, kept in their (encrypted) authentication ticket, and their address
/// (X-Forwarded-For), so the API's per-client limits count people, not web replicas.
/// </summary>
public sealed class ApiTokenHandler(IHttpContextAccessor accessor) : DelegatingHandler
{
    public const string AccessToken = "access_token";
    public const string RefreshToken = "refresh_token";
    public const string ExpiresAt = "expires_at";

    /// <summary>Set on a request that must go without the person's token (a share link reads the same for everyone).</summary>
    public static readonly HttpRequestOptionsKey<bool> Anonymous = new("notejam-anonymous");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Read from the ticket the authentication middleware already validated (and maybe refreshed) for this
        // request; asking for authentication again from here would re-enter the cookie handler.
        var context = accessor.HttpContext;
        if (context?.Connection.RemoteIpAddress is { } address)
        {
            request.Headers.Remove("X-Forwarded-For");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", address.ToString());
        }

        var ticket = context?.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties;
        if (request.Headers.Authorization is null && !request.Options.TryGetValue(Anonymous, out _) && ticket?.GetTokenValue(AccessToken) is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
