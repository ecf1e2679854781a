using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Notejam.Api.Data;

namespace Notejam.Api.Users;

/// <summary>
/// A WebAuthn ceremony the API began: the state Identity's <see cref="IPasskeyHandler{TUser}"/> needs to check the
/// browser's answer (its challenge above all). Kept here, not handed to the client, and taken once: a replayed answer
/// finds no ceremony, on any replica.
/// </summary>
public sealed class PasskeyCeremony
{
    public required string Id { get; set; }

    /// <summary>The account a registration is for; null for a sign-in, where the passkey names its account.</summary>
    public int? UserId { get; set; }

    public required string State { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>Begins and takes <see cref="PasskeyCeremony"/> rows.</summary>
internal sealed class PasskeyCeremonies(NotejamDb db, IOptions<IdentityPasskeyOptions> options, TimeProvider clock)
{
    /// <summary>Keeps <paramref name="state"/> for the authenticator's timeout; the ceremony's id.</summary>
    public async Task<string> BeginAsync(int? userId, string state, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ceremony = new PasskeyCeremony
        {
            Id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)),
            UserId = userId,
            State = state,
            ExpiresAt = now + options.Value.AuthenticatorTimeout,
        };
        db.PasskeyCeremonies.Add(ceremony);
        await db.SaveChangesAsync(ct);
        if (Random.Shared.Next(64) == 0)
        {
            // Ceremonies nobody finished are kept only until some later one clears them.
            await db.PasskeyCeremonies.Where(c => c.ExpiresAt < now).ExecuteDeleteAsync(ct);
        }

        return ceremony.Id;
    }

    /// <summary>
    /// The state of ceremony <paramref name="id"/> begun for <paramref name="userId"/>, deleted in the same statement so
    /// that it is used once; null when there is no such ceremony, it has expired, or it was someone else's.
    /// </summary>
    public async Task<string?> TakeAsync(string id, int? userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var taken = await db.Database.SqlQuery<TakenCeremony>($"""
            DELETE FROM "PasskeyCeremonies" WHERE "Id" = {id} RETURNING "UserId", "State", "ExpiresAt"
            """).ToListAsync(ct);
        return taken is [var ceremony] && ceremony.UserId == userId && ceremony.ExpiresAt > now ? ceremony.State : null;
    }

    private sealed record TakenCeremony(int? UserId, string State, DateTimeOffset ExpiresAt);
}
