using System.Globalization;
using System.Security.Claims;

namespace Notejam.Api.Users;

internal static class CurrentUser
{
    /// <summary>The signed-in user's id, from the bearer token Identity issued.</summary>
    public static int Id(this ClaimsPrincipal principal) =>
        int.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("The endpoint must require authorization."), CultureInfo.InvariantCulture);
}
