using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;

namespace Notejam.Api.Users;

/// <summary>
/// A bearer token carries its user's id and outlives the account by up to its lifetime. A request whose token names
/// an account that no longer exists is answered as an anonymous one (401), never with that account's (empty) data
/// and never with a note saved for nobody.
/// </summary>
internal static class DeletedAccounts
{
    private static readonly Func<NotejamDb, int, CancellationToken, Task<bool>> Exists =
        EF.CompileAsyncQuery((NotejamDb db, int id, CancellationToken ct) => db.Users.Any(u => u.Id == id));

    public static IApplicationBuilder UseDeletedAccountsRefused(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true &&
            !await Exists(context.RequestServices.GetRequiredService<NotejamDb>(), context.User.Id(), context.RequestAborted))
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity());
        }

        await next(context);
    });
}
