using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Notejam.Api.Users;

/// <summary>
/// The work of checking a password when there is no account to check it against (or it is locked): the same hasher,
/// with the same settings, against a hash of a random password, so a wrong sign-in takes as long for an unknown email
/// as for a known one.
/// </summary>
internal static class UnknownPassword
{
    private static readonly User Nobody = new();
    private static string? _hash;

    public static void Check(IPasswordHasher<User> hasher, string password)
    {
        _hash ??= hasher.HashPassword(Nobody, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        hasher.VerifyHashedPassword(Nobody, _hash, password);
    }
}
