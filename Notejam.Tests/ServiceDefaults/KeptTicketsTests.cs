using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.ServiceDefaults;

/// <summary>
/// KeptTickets answers a cookie or bearer token it has unprotected before from memory. The attacker's tries: a value
/// changed in one character (in its middle, where the key's hash does not look, and at its end), a ticket changed by
/// one caller showing up for the next, and a revoked data-protection key, against ASP.NET Core's own TicketDataFormat
/// and key manager (real data protection, no stand-in).
/// </summary>
public sealed class KeptTicketsTests : IDisposable
{
    private readonly DirectoryInfo keys = Directory.CreateTempSubdirectory("notejam-keys-");
    private readonly ServiceProvider services;
    private readonly Counting format;

    public KeptTicketsTests()
    {
        services = new ServiceCollection().AddLogging().AddDataProtection().PersistKeysToFileSystem(keys).Services.BuildServiceProvider();
        format = new Counting(new TicketDataFormat(services.GetRequiredService<IDataProtectionProvider>().CreateProtector("tests")));
    }

    public void Dispose()
    {
        services.Dispose();
        keys.Delete(recursive: true);
    }

    [Fact]
    public void The_same_value_is_unprotected_once_and_each_caller_gets_its_own_copy()
    {
        using var kept = new KeptTickets(format);
        var value = kept.Protect(Ticket("ann"));

        var first = kept.Unprotect(value)!;
        first.Properties.Items["changed"] = "by the first caller";
        first.Principal.Identities.First().AddClaim(new Claim("extra", "by the first caller"));
        var second = kept.Unprotect(value)!;

        Assert.Equal(1, format.Unprotected);
        Assert.Equal("ann", second.Principal.Identity!.Name);
        Assert.False(second.Properties.Items.ContainsKey("changed"));
        Assert.Null(second.Principal.FindFirst("extra"));
    }

    [Fact]
    public void A_value_changed_in_one_character_is_never_answered_from_memory()
    {
        using var kept = new KeptTickets(format);
        var value = kept.Protect(Ticket("ann"));
        Assert.NotNull(kept.Unprotect(value));

        foreach (var at in new[] { value.Length / 2, value.Length - 1 })
        {
            var forged = value[..at] + (value[at] == 'A' ? 'B' : 'A') + value[(at + 1)..];
            Assert.Null(kept.Unprotect(forged));
        }

        Assert.Null(kept.Unprotect(value + "A"));
        Assert.Equal(4, format.Unprotected);
    }

    [Fact]
    public void A_purpose_or_nothing_goes_to_data_protection()
    {
        using var kept = new KeptTickets(format);
        var value = kept.Protect(Ticket("ann"), "binding");

        Assert.Equal("ann", kept.Unprotect(value, "binding")!.Principal.Identity!.Name);
        Assert.Equal("ann", kept.Unprotect(value, "binding")!.Principal.Identity!.Name);
        Assert.Null(kept.Unprotect(null));
        Assert.Equal(3, format.Unprotected);
    }

    [Fact]
    public async Task After_a_key_is_revoked_a_kept_value_is_refused_once_its_lifetime_is_over()
    {
        var lifetime = TimeSpan.FromMilliseconds(200);
        using var kept = new KeptTickets(format, lifetime);
        var value = kept.Protect(Ticket("ann"));
        Assert.NotNull(kept.Unprotect(value));

        services.GetRequiredService<IKeyManager>().RevokeAllKeys(DateTimeOffset.UtcNow.AddMinutes(1), "stolen");
        await Eventually.WhenAsync(() => Task.FromResult(format.Unprotect(value) is null), TimeSpan.FromSeconds(30),
            () => "data protection itself refusing the value after the revocation");

        // What the memory adds, and no more: the value read until its entry's lifetime ends, then refused.
        await Task.Delay(lifetime * 3);
        Assert.Null(kept.Unprotect(value));
    }

    private static AuthenticationTicket Ticket(string name) =>
        new(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], "test")), new AuthenticationProperties(), "test");

    private sealed class Counting(ISecureDataFormat<AuthenticationTicket> inner) : ISecureDataFormat<AuthenticationTicket>
    {
        public int Unprotected { get; private set; }

        public string Protect(AuthenticationTicket data) => inner.Protect(data);

        public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Unprotected++;
            return inner.Unprotect(protectedText, purpose);
        }
    }
}

/// <summary>The running services use it: the web for its cookie, the api for access tokens (not for refresh tokens, used once each).</summary>
[Collection(SiteTests.Name)]
public sealed class KeptTicketsWiringTests(SiteFactory site)
{
    [Fact]
    public void The_web_and_the_api_keep_their_tickets_this_way()
    {
        var cookie = site.Web.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(CookieAuthenticationDefaults.AuthenticationScheme);
        var bearer = site.Api.Services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme);

        Assert.IsType<KeptTickets>(cookie.TicketDataFormat);
        Assert.IsType<KeptTickets>(bearer.BearerTokenProtector);
        Assert.IsNotType<KeptTickets>(bearer.RefreshTokenProtector);
    }
}
