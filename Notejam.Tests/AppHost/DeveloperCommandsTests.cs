using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Notejam.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.AppHost;

/// <summary>
/// The dashboard's buttons (Aspire resource commands, run through the AppHost's own ResourceCommandService as the
/// dashboard runs them) and its links, named for people.
/// </summary>
[Trait(TestLayers.Name, TestLayers.AppHost)]
[Collection(AppHostTests.Name)]
public sealed partial class DeveloperCommandsTests(AppHostFixture topology)
{
    [Fact]
    public async Task Seed_a_demo_account_makes_one_a_person_can_sign_in_to_and_reset_empties_the_database()
    {
        await topology.SnapshotAsync("web", s => s.HealthStatus == HealthStatus.Healthy);
        var commands = topology.App.Services.GetRequiredService<ResourceCommandService>();
        using var before = await SiteUser.SignUpAndInAsync(new SiteBrowser(topology.App.GetEndpoint("web", "http")));

        var seeded = await commands.ExecuteCommandAsync("web", DeveloperCommands.SeedDemo);

        Assert.True(seeded.Success, seeded.Message);
        var said = SignInLine().Match(seeded.Message ?? "");
        Assert.True(said.Success, seeded.Message);
        using var demo = new SiteBrowser(new Uri(said.Groups["site"].Value));
        var home = await demo.SubmitAsync(await demo.GetAsync("/signin/"), new Dictionary<string, string?>
        {
            ["Email"] = said.Groups["email"].Value, ["Password"] = said.Groups["password"].Value,
        });
        Assert.Equal(said.Groups["email"].Value, home.SignedInAs);
        Assert.Equal(["Groceries", "Travel", "Work"], home.PadNames.Order());
        Assert.Equal(7, home.NoteNames.Count);

        var reset = await commands.ExecuteCommandAsync("notejam", DeveloperCommands.ResetDatabase);

        Assert.True(reset.Success, reset.Message);
        // Every account is gone: the demo's sign-in is refused, and a session from before ends on its next page.
        using var later = new SiteBrowser(new Uri(said.Groups["site"].Value));
        var again = await later.SubmitAsync(await later.GetAsync("/signin/"), new Dictionary<string, string?>
        {
            ["Email"] = said.Groups["email"].Value, ["Password"] = said.Groups["password"].Value,
        });
        Assert.Null(again.SignedInAs);
        Assert.Equal("Wrong email or password", again.Error);
        Assert.Equal("/signin/", (await before.Browser.GetAsync("/")).Url.AbsolutePath);
        // The site still works for a new person.
        using var after = await SiteUser.SignUpAndInAsync(new SiteBrowser(topology.App.GetEndpoint("web", "http")));
    }

    [Theory]
    [InlineData("web", "Notejam")]
    [InlineData("mail", "Mail inbox")]
    public async Task The_dashboard_links_are_named_for_people(string resource, string name)
    {
        var snapshot = await topology.SnapshotAsync(resource, s => s.Urls.Any(url => !url.IsInternal));

        Assert.Contains(snapshot.Urls, url => url.DisplayProperties.DisplayName == name);
    }

    [GeneratedRegex(@"Sign in at (?<site>\S+?)/signin/ as (?<email>\S+) with the password (?<password>\S+) ")]
    private static partial Regex SignInLine();
}
