using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A ticket format that remembers, for a short while, what a protected value unprotected to. A signed-in person sends
/// the same cookie (the web: 4.8 KB holding the API's tokens) or bearer token (the api) on every request, and
/// unprotecting it is a key derivation, an HMAC and a decryption each time (25–40 µs, about 6% of a page's CPU
/// under load: docs/performance.md). Only a value byte for byte equal to one that unprotected is answered from
/// memory, with a copy of its ticket, so a tampered or unknown value always goes to data protection. The handlers
/// check what they always check on the copy (the ticket's expiry, the session behind it). What the memory adds is one
/// thing: a value stays readable for up to <see cref="Lifetime"/> after its data-protection key is revoked.
/// </summary>
public sealed class KeptTickets : ISecureDataFormat<AuthenticationTicket>, IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    // Each entry holds the value itself (the web's cookie: 9.6 KB as a string), so a thousand people signed in within
    // a minute cost about 10 MB; more than that and the oldest are unprotected again.
    public const int Capacity = 1024;

    private readonly ISecureDataFormat<AuthenticationTicket> inner;
    private readonly MemoryCache kept;
    private readonly TimeSpan lifetime;

    public KeptTickets(ISecureDataFormat<AuthenticationTicket> inner) : this(inner, Lifetime)
    {
    }

    public KeptTickets(ISecureDataFormat<AuthenticationTicket> inner, TimeSpan lifetime)
    {
        this.inner = inner;
        this.lifetime = lifetime;
        kept = new MemoryCache(new MemoryCacheOptions { SizeLimit = Capacity, CompactionPercentage = 0.25 });
    }

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, purpose: null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null || purpose is not null)
        {
            return inner.Unprotect(protectedText, purpose);
        }

        var key = new Value(protectedText);
        if (kept.TryGetValue(key, out AuthenticationTicket? ticket) && ticket is not null)
        {
            return Copy(ticket);
        }

        ticket = inner.Unprotect(protectedText);
        if (ticket is not null)
        {
            kept.Set(key, Copy(ticket), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime });
        }

        return ticket;
    }

    public void Dispose() => kept.Dispose();

    // The handlers change what they get (a refreshed token, a renewed expiry): each caller gets its own.
    private static AuthenticationTicket Copy(AuthenticationTicket ticket) =>
        new(new ClaimsPrincipal(ticket.Principal.Identities.Select(identity => identity.Clone())), ticket.Properties.Clone(),
            ticket.AuthenticationScheme);

    /// <summary>
    /// The protected value as a key, hashed by its length and last 64 characters (the MAC, random to anyone without
    /// the key) instead of all of its kilobytes; equality still compares every character.
    /// </summary>
    private sealed class Value(string text) : IEquatable<Value>
    {
        private readonly string text = text;

        public bool Equals(Value? other) => other is not null && string.Equals(text, other.text, StringComparison.Ordinal);

        public override bool Equals(object? obj) => Equals(obj as Value);

        public override int GetHashCode() =>
            HashCode.Combine(text.Length, string.GetHashCode(text.AsSpan(Math.Max(0, text.Length - 64)), StringComparison.Ordinal));
    }
}
