using Microsoft.AspNetCore.Hosting;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.ServiceDefaults;

/// <summary>
/// A bad setting stops the service at start with a message naming it, instead of a start that seems fine and then
/// fails every page (a zero read budget: every page the 503 page) or every token (a negative lifetime).
/// </summary>
[Collection(SiteTests.Name)]
public sealed class SettingsTests(SiteFactory site)
{
    [Theory]
    [InlineData("Notejam:ApiReadBudget", "soon")]
    [InlineData("Notejam:ApiReadBudget", "00:00:00")]
    [InlineData("Notejam:ApiReadBudget", "00:01:00")]
    [InlineData("Notejam:ApiUrl", "api.internal")]
    [InlineData("Notejam:ApiUrl", "ftp://api/")]
    [InlineData("Notejam:ShutdownDelay", "-00:00:05")]
    [InlineData("Notejam:TrustedProxyNetworks", "everyone")]
    [InlineData("ConnectionStrings:webkeyring", "")]
    public void The_web_refuses_to_start_with_a_bad_setting_and_names_it(string key, string value)
    {
        var refusal = new StartRefusal();
        using var web = new WebFactory(site.WebKeyRing, ServerAddress.Of(site.Api), builder => refusal.Watch(builder).UseSetting(key, value));
        web.UseKestrel(0);

        refusal.Record(web.StartServer);

        AssertNames(refusal, key);
    }

    [Theory]
    [InlineData("Notejam:AccessTokenLifetime", "-00:30:00")]
    [InlineData("Notejam:AccessTokenLifetime", "half an hour")]
    [InlineData("Notejam:ResetLinkLifetime", "00:00:00")]
    [InlineData("Notejam:ResetLinkLifetime", "30.00:00:00")]
    [InlineData("Notejam:ShutdownDelay", "01:00:00")]
    [InlineData("Notejam:Quota:Notes", "0")]
    public void The_api_refuses_to_start_with_a_bad_setting_and_names_it(string key, string value)
    {
        var refusal = new StartRefusal();
        refusal.Record(() => site.Api.AnotherReplica(builder => refusal.Watch(builder).UseSetting(key, value)).Dispose());

        AssertNames(refusal, key);
    }

    private static void AssertNames(StartRefusal refusal, string key)
    {
        Assert.True(refusal.Thrown, "The start was not refused");
        var messages = refusal.Said;
        // The setting by its full name, or by its section and member as the options validation names it.
        var member = key[(key.LastIndexOf(':') + 1)..];
        Assert.True(messages.Any(m => m.Contains(key, StringComparison.Ordinal) || m.Contains(member, StringComparison.Ordinal)),
            string.Join(" | ", messages));
    }
}
