using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;
using Notejam.Api.Limits;

namespace Notejam.Api.Users;

internal enum ProofCheck
{
    Missing,
    Right,
    Wrong,
    AccountLocked,
    AddressWaits,
}

/// <summary>
/// What a signed-in person shows before changing what guards the account (change or remove the password, add a passkey,
/// delete the account): the password, or an assertion of one of the account's passkeys; a session alone is not enough.
/// Every refusal counts towards the address's limit, and a wrong password towards the account's lockout, exactly as wrong
/// sign-ins do, so a stolen token guesses nothing.
/// </summary>
internal sealed class OwnerProof(SignInManager<User> signIn, AccountLimits limits, PasskeyAssertions passkeys)
{
    /// <summary>The title of the 429 an account gets once wrong passwords have locked it.</summary>
    public static ProblemHttpResult AccountLocked() =>
        TypedResults.Problem(title: "Too many wrong passwords. Try again later.", statusCode: StatusCodes.Status429TooManyRequests);

    /// <summary>Checks <paramref name="password"/> when given, else <paramref name="passkey"/>; the wait when the address must wait.</summary>
    public async Task<(ProofCheck Check, TimeSpan Wait)> CheckAsync(
        User user, string? password, PasskeyAssertionRequest? passkey, HttpContext http)
    {
        if (password is not { Length: > 0 } && passkey is null)
        {
            return (ProofCheck.Missing, TimeSpan.Zero);
        }

        var address = http.Connection.RemoteIpAddress;
        if (await limits.WaitAsync(AccountLimit.FailedPasswords, address, http.RequestAborted) is { } wait)
        {
            return (ProofCheck.AddressWaits, wait);
        }

        var locked = false;
        if (password is { Length: > 0 })
        {
            var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
            if (result.Succeeded)
            {
                return (ProofCheck.Right, TimeSpan.Zero);
            }

            locked = result.IsLockedOut;
        }
        else if ((await passkeys.AssertAsync(passkey!, http)).User?.Id == user.Id)
        {
            return (ProofCheck.Right, TimeSpan.Zero);
        }

        await limits.CountAsync(AccountLimit.FailedPasswords, address, http.RequestAborted);
        return (locked ? ProofCheck.AccountLocked : ProofCheck.Wrong, TimeSpan.Zero);
    }
}

/// <summary>A browser's passkey assertion checked against the ceremony it answers (sign-in, or an owner's proof).</summary>
internal sealed class PasskeyAssertions(IPasskeyHandler<User> handler, PasskeyCeremonies ceremonies, NotejamDb db, TimeProvider clock)
{
    public const string PromptExpired = "This passkey prompt has expired or was already used. Try again.";
    public const string NotAccepted = "This passkey was not accepted.";

    /// <summary>
    /// Checks the assertion against its ceremony, taken once; records the passkey's sign count and last use. The account
    /// it names, or why there is none.
    /// </summary>
    public async Task<(User? User, string Refusal)> AssertAsync(PasskeyAssertionRequest request, HttpContext http)
    {
        var ct = http.RequestAborted;
        if (await ceremonies.TakeAsync(request.Ceremony, null, ct) is not { } state)
        {
            return (null, PromptExpired);
        }

        if (request.Credential.ValueKind != JsonValueKind.Object)
        {
            return (null, NotAccepted);
        }

        var asserted = await handler.PerformAssertionAsync(new()
        {
            HttpContext = http,
            CredentialJson = request.Credential.GetRawText(),
            AssertionState = state,
        });
        if (asserted is not { Succeeded: true, User: { } user, Passkey: { } passkey })
        {
            return (null, NotAccepted);
        }

        // The sign count Identity checked (a cloned authenticator's lower count is refused next time) and when it was used.
        var now = clock.GetUtcNow();
        var row = await db.UserPasskeys.FirstAsync(p => p.UserId == user.Id && p.CredentialId == passkey.CredentialId, ct);
        row.Data.SignCount = passkey.SignCount;
        row.Data.IsBackedUp = passkey.IsBackedUp;
        row.Data.IsUserVerified = passkey.IsUserVerified;
        db.Entry(row).Property(NotejamDb.PasskeyLastUsedAt).CurrentValue = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
        await db.SaveChangesAsync(ct);
        return (user, "");
    }
}
