using System.Buffers.Text;
using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;
using Notejam.Api.Limits;
using Notejam.Api.Sessions;

namespace Notejam.Api.Users;

/// <summary>What the passkey endpoints are given besides their request (bound with [AsParameters]).</summary>
internal sealed record PasskeyServices(
    UserManager<User> Users, IPasskeyHandler<User> Handler, PasskeyCeremonies Ceremonies, PasskeyAssertions Assertions,
    OwnerProof Proof, AccountLimits Limits, NotejamDb Db, HttpContext Http);

/// <summary>
/// Passkeys on ASP.NET Core Identity's <see cref="IPasskeyHandler{TUser}"/>: the API begins and checks every WebAuthn
/// ceremony (its state stays here, in <see cref="PasskeyCeremonies"/>); the site relays the options to the browser and the
/// browser's answer back. A passkey signs in as a password does (the same session tokens, the same lockout and per-address
/// limit on refusals); an account may drop its password only while it has a passkey, and its last sign-in way never goes.
/// </summary>
internal static class PasskeysApi
{
    private const string PromptExpired = PasskeyAssertions.PromptExpired;
    private const string NotAccepted = PasskeyAssertions.NotAccepted;

    public static RouteGroupBuilder MapPasskeys(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/users").WithTags("Passkeys");
        group.MapPost("/passkeys/options", BeginPasskeySignIn).WithName(nameof(BeginPasskeySignIn))
            .WithSummary("Begins a passkey sign-in: the request options for navigator.credentials.get()");
        group.MapPost("/passkeys/signin", SignInWithPasskey).WithName(nameof(SignInWithPasskey))
            .WithSummary("Signs in with the browser's passkey assertion: an access token and a refresh token of a new session")
            .Produces<Microsoft.AspNetCore.Authentication.BearerToken.AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        var mine = group.MapGroup("/me/passkeys").RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized);
        mine.MapGet("/", ListPasskeys).WithName(nameof(ListPasskeys)).WithSummary("My passkeys, oldest first, and whether I have a password");
        mine.MapPost("/options", BeginAddingPasskey).WithName(nameof(BeginAddingPasskey))
            .WithSummary("Begins adding a passkey: the creation options for navigator.credentials.create()");
        mine.MapPost("/", AddPasskey).WithName(nameof(AddPasskey)).WithSummary("Adds the browser's new passkey to my account");
        mine.MapPatch("/{id}", RenamePasskey).WithName(nameof(RenamePasskey)).WithSummary("Renames one of my passkeys")
            .ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapDelete("/{id}", RemovePasskey).WithName(nameof(RemovePasskey))
            .WithSummary("Removes one of my passkeys, unless it is the account's last way to sign in")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGroup("/me").RequireAuthorization().ProducesProblem(StatusCodes.Status401Unauthorized)
            .MapDelete("/password", RemovePassword).WithName(nameof(RemovePassword)).WithTags("Passkeys")
            .WithSummary("Removes my password, which the request confirms; only while I have a passkey. Every other session ends")
            .Produces<Microsoft.AspNetCore.Authentication.BearerToken.AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status409Conflict);
        return group;
    }

    public static async Task<Results<Ok<PasskeyOptionsResponse>, ProblemHttpResultWithWait>> BeginPasskeySignIn(
        [AsParameters] PasskeyServices services)
    {
        if (await CountCeremonyAsync(services) is { } refused)
        {
            return refused;
        }

        // No account named: the browser offers the passkeys it holds for the site, and the one chosen names its account.
        var options = await services.Handler.MakeRequestOptionsAsync(null, services.Http);
        var ceremony = await services.Ceremonies.BeginAsync(null, options.AssertionState ?? throw new InvalidOperationException("Identity gave no assertion state."), services.Http.RequestAborted);
        return TypedResults.Ok(new PasskeyOptionsResponse(ceremony, JsonElementOf(options.RequestOptionsJson)));
    }

    public static async Task<Results<SignInHttpResult, ProblemHttpResult, ProblemHttpResultWithWait>> SignInWithPasskey(
        PasskeyAssertionRequest request, NotejamMetrics metrics, SessionStore sessions, [AsParameters] PasskeyServices services)
    {
        var (limits, http) = (services.Limits, services.Http);
        var address = http.Connection.RemoteIpAddress;
        if (await limits.WaitAsync(AccountLimit.FailedPasswords, address, http.RequestAborted) is { } wait)
        {
            return limits.TooMany(AccountLimit.FailedPasswords, wait, AccountLimits.TooManyWrongPasswords);
        }

        var (user, refusal) = await services.Assertions.AssertAsync(request, http);
        if (user is null)
        {
            metrics.SignInAttempted(SignInResult.Failed);
            await limits.CountAsync(AccountLimit.FailedPasswords, address, http.RequestAborted);
            return TypedResults.Problem(title: refusal, statusCode: StatusCodes.Status401Unauthorized);
        }

        // As Identity's own PasskeySignInAsync does: a locked account is locked to every way in.
        if (await services.Users.IsLockedOutAsync(user))
        {
            metrics.SignInAttempted(SignInResult.LockedOut);
            return TypedResults.Problem(title: "Too many failed sign-ins. Try again later or reset your password.",
                statusCode: StatusCodes.Status429TooManyRequests);
        }

        metrics.SignInAttempted(SignInResult.Success);
        return TypedResults.SignIn(await sessions.StartAsync(user, http.RequestAborted), authenticationScheme: IdentityConstants.BearerScheme);
    }

    public static async Task<Results<Ok<PasskeysResponse>, UnauthorizedHttpResult>> ListPasskeys(
        ClaimsPrincipal principal, [AsParameters] PasskeyServices services)
    {
        if (await services.Users.GetUserAsync(principal) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        return TypedResults.Ok(new PasskeysResponse(await ListAsync(services.Db, user.Id, services.Http.RequestAborted), user.PasswordHash is not null));
    }

    public static async Task<Results<Ok<PasskeyOptionsResponse>, ProblemHttpResultWithWait, UnauthorizedHttpResult>> BeginAddingPasskey(
        ClaimsPrincipal principal, [AsParameters] PasskeyServices services)
    {
        if (await services.Users.GetUserAsync(principal) is not { Email: { } email } user)
        {
            return TypedResults.Unauthorized();
        }

        if (await CountCeremonyAsync(services) is { } refused)
        {
            return refused;
        }

        // The user handle is the account's id, as Identity's SignInManager makes it: a passkey's assertion names it.
        var entity = new PasskeyUserEntity { Id = user.Id.ToString(CultureInfo.InvariantCulture), Name = email, DisplayName = email };
        var options = await services.Handler.MakeCreationOptionsAsync(entity, services.Http);
        var ceremony = await services.Ceremonies.BeginAsync(user.Id, options.AttestationState ?? throw new InvalidOperationException("Identity gave no attestation state."), services.Http.RequestAborted);
        return TypedResults.Ok(new PasskeyOptionsResponse(ceremony, JsonElementOf(options.CreationOptionsJson)));
    }

    public static async Task<Results<Created<PasskeyResponse>, ValidationProblem, ProblemHttpResult, ProblemHttpResultWithWait, UnauthorizedHttpResult>> AddPasskey(
        AddPasskeyRequest request, ClaimsPrincipal principal, [AsParameters] PasskeyServices services)
    {
        if (await services.Users.GetUserAsync(principal) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        var ct = services.Http.RequestAborted;
        var name = string.IsNullOrWhiteSpace(request.Name) ? PasskeyLimits.DefaultName : request.Name.Trim();
        // Proof of the owner, not just of a session: the password, or for an account without one a passkey it has.
        var hasPassword = user.PasswordHash is not null;
        var (check, wait) = await services.Proof.CheckAsync(
            user, hasPassword ? request.Password : null, hasPassword ? null : request.Confirmation, services.Http);
        if (check != ProofCheck.Right)
        {
            return check switch
            {
                ProofCheck.AddressWaits => services.Limits.TooMany(AccountLimit.FailedPasswords, wait, AccountLimits.TooManyWrongPasswords),
                ProofCheck.AccountLocked => OwnerProof.AccountLocked(),
                _ when !hasPassword => Invalid("confirmation", "Confirm with one of this account's passkeys to add another."),
                ProofCheck.Missing => Invalid("password", "Enter your password to add a passkey."),
                _ => Invalid("password", "The password is wrong."),
            };
        }

        if (await services.Ceremonies.TakeAsync(request.Ceremony, user.Id, ct) is not { } state)
        {
            return Invalid("ceremony", PromptExpired);
        }

        if (await services.Db.UserPasskeys.CountAsync(p => p.UserId == user.Id, ct) >= PasskeyLimits.PerAccount)
        {
            return Invalid("credential", $"An account may hold at most {PasskeyLimits.PerAccount} passkeys. Remove one first.");
        }

        var attested = request.Credential.ValueKind == JsonValueKind.Object
            ? await services.Handler.PerformAttestationAsync(new()
            {
                HttpContext = services.Http,
                CredentialJson = request.Credential.GetRawText(),
                AttestationState = state,
            })
            : null;
        if (attested is not { Succeeded: true, Passkey: { } passkey })
        {
            // Identity refuses a credential that some account, this one or another, already holds.
            return Invalid("credential", attested?.Failure?.Message is { } why ? $"{NotAccepted} {why}" : NotAccepted);
        }

        passkey.Name = name;
        try
        {
            var added = await services.Users.AddOrUpdatePasskeyAsync(user, passkey);
            if (!added.Succeeded)
            {
                return Invalid("credential", NotAccepted);
            }
        }
        catch (DbUpdateException)
        {
            // Two accounts registering the same credential at once: the second finds the first's row.
            return Invalid("credential", $"{NotAccepted} It is already registered.");
        }

        var id = Base64Url.EncodeToString(passkey.CredentialId);
        return TypedResults.Created($"/users/me/passkeys/{id}", new PasskeyResponse(id, name, passkey.CreatedAt, null));
    }

    public static async Task<Results<Ok<PasskeyResponse>, ProblemHttpResult, UnauthorizedHttpResult>> RenamePasskey(
        string id, RenamePasskeyRequest request, ClaimsPrincipal principal, [AsParameters] PasskeyServices services)
    {
        if (await services.Users.GetUserAsync(principal) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        if (CredentialId(id) is not { } credentialId || await services.Users.GetPasskeyAsync(user, credentialId) is not { } passkey)
        {
            return Problems.NotFound("passkey");
        }

        passkey.Name = request.Name.Trim();
        await services.Users.AddOrUpdatePasskeyAsync(user, passkey);
        var lastUsed = await services.Db.UserPasskeys.Where(p => p.UserId == user.Id && p.CredentialId == credentialId)
            .Select(p => EF.Property<DateTimeOffset?>(p, NotejamDb.PasskeyLastUsedAt)).FirstOrDefaultAsync(services.Http.RequestAborted);
        return TypedResults.Ok(new PasskeyResponse(id, passkey.Name, passkey.CreatedAt, lastUsed));
    }

    public static async Task<Results<NoContent, ProblemHttpResult, UnauthorizedHttpResult>> RemovePasskey(
        string id, ClaimsPrincipal principal, [AsParameters] PasskeyServices services)
    {
        if (await services.Users.GetUserAsync(principal) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        if (CredentialId(id) is not { } credentialId)
        {
            return Problems.NotFound("passkey");
        }

        var (db, ct) = (services.Db, services.Http.RequestAborted);
        var outcome = await InAccountLockAsync(db, user.Id, async () =>
        {
            var passkeys = await db.UserPasskeys.Where(p => p.UserId == user.Id).Select(p => p.CredentialId).ToListAsync(ct);
            if (!passkeys.Any(p => p.AsSpan().SequenceEqual(credentialId)))
            {
                return StatusCodes.Status404NotFound;
            }

            if (passkeys.Count == 1 && !await HasPasswordAsync(db, user.Id, ct))
            {
                return StatusCodes.Status409Conflict;
            }

            await db.UserPasskeys.Where(p => p.UserId == user.Id && p.CredentialId == credentialId).ExecuteDeleteAsync(ct);
            return StatusCodes.Status204NoContent;
        }, ct);
        return outcome switch
        {
            StatusCodes.Status404NotFound => Problems.NotFound("passkey"),
            StatusCodes.Status409Conflict => TypedResults.Problem(title: "This passkey is the only way into the account.",
                detail: "Set a password (Forgot password mails a link) or add another passkey first.", statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.NoContent(),
        };
    }

    public static async Task<Results<SignInHttpResult, ValidationProblem, ProblemHttpResult, ProblemHttpResultWithWait, UnauthorizedHttpResult>> RemovePassword(
        [Microsoft.AspNetCore.Mvc.FromBody] RemovePasswordRequest request, ClaimsPrincipal principal, SessionStore sessions,
        [AsParameters] PasskeyServices services)
    {
        if (await services.Users.GetUserAsync(principal) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        if (user.PasswordHash is null)
        {
            return TypedResults.Problem(title: "This account has no password.", statusCode: StatusCodes.Status409Conflict);
        }

        var (check, wait) = await services.Proof.CheckAsync(user, request.Password, null, services.Http);
        if (check != ProofCheck.Right)
        {
            return check switch
            {
                ProofCheck.AddressWaits => services.Limits.TooMany(AccountLimit.FailedPasswords, wait, AccountLimits.TooManyWrongPasswords),
                ProofCheck.AccountLocked => OwnerProof.AccountLocked(),
                _ => Invalid("password", "The password is wrong."),
            };
        }

        var (db, ct) = (services.Db, services.Http.RequestAborted);
        var removed = await InAccountLockAsync(db, user.Id, async () =>
        {
            if (!await db.UserPasskeys.AnyAsync(p => p.UserId == user.Id, ct))
            {
                return false;
            }

            await db.Entry(user).ReloadAsync(ct);
            return (await services.Users.RemovePasswordAsync(user)).Succeeded;
        }, ct);
        if (!removed)
        {
            return TypedResults.Problem(title: "Add a passkey before you remove your password.",
                detail: "The password is the only way into the account.", statusCode: StatusCodes.Status409Conflict);
        }

        // As after a password change: no token issued before it opens anything; this person goes on in a new session.
        return TypedResults.SignIn(await sessions.ContinueAfterPasswordChangeAsync(user, ct), authenticationScheme: IdentityConstants.BearerScheme);
    }

    internal static async Task<List<PasskeyResponse>> ListAsync(NotejamDb db, int userId, CancellationToken ct)
    {
        var rows = await db.UserPasskeys.AsNoTracking().Where(p => p.UserId == userId)
            .Select(p => new { p.CredentialId, p.Data.Name, p.Data.CreatedAt, LastUsedAt = EF.Property<DateTimeOffset?>(p, NotejamDb.PasskeyLastUsedAt) })
            .ToListAsync(ct);
        return [.. rows.OrderBy(p => p.CreatedAt)
            .Select(p => new PasskeyResponse(Base64Url.EncodeToString(p.CredentialId), p.Name ?? PasskeyLimits.DefaultName, p.CreatedAt, p.LastUsedAt))];
    }

    private static async Task<ProblemHttpResultWithWait?> CountCeremonyAsync(PasskeyServices services)
    {
        var (limits, http) = (services.Limits, services.Http);
        return await limits.CountAsync(AccountLimit.PasskeyCeremonies, http.Connection.RemoteIpAddress, http.RequestAborted) is { } wait
            ? limits.TooMany(AccountLimit.PasskeyCeremonies, wait, "Too many passkey prompts from this address. Try again later.")
            : null;
    }

    /// <summary>Runs <paramref name="change"/> in a transaction that holds the account's row, so two removals cannot both leave it without a way in.</summary>
    private static Task<T> InAccountLockAsync<T>(NotejamDb db, int userId, Func<Task<T>> change, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM "AspNetUsers" WHERE "Id" = {userId} FOR UPDATE""", ct);
            var result = await change();
            await transaction.CommitAsync(ct);
            return result;
        });

    private static Task<bool> HasPasswordAsync(NotejamDb db, int userId, CancellationToken ct) =>
        db.Users.AnyAsync(u => u.Id == userId && u.PasswordHash != null, ct);

    private static byte[]? CredentialId(string id)
    {
        if (id.Length is 0 or > PasskeyLimits.IdMaxLength)
        {
            return null;
        }

        try
        {
            return Base64Url.DecodeFromChars(id);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static JsonElement JsonElementOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
