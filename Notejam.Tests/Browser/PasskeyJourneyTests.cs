using System.Text.Json;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Browser;

/// <summary>
/// Passkeys through the site in Chromium (issue 16, item 1), with Chromium's own virtual authenticator (the DevTools
/// protocol's WebAuthn domain, a CTAP2 platform authenticator with user verification) against the topology the AppHost
/// starts: the browser, not this project, makes and signs every credential. Each person has a browser and an authenticator
/// of their own. Screenshots go to TestResults/screenshots.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Browser)]
[Collection(AppHostTests.Name)]
public sealed class PasskeyJourneyTests(AppHostFixture topology) : ChromiumTests
{
    [Fact]
    public async Task Add_a_passkey_sign_in_with_it_refuse_a_replay_and_another_account_then_go_passwordless_and_delete()
    {
        var web = topology.App.GetEndpoint("web", "http").ToString();
        Assert.StartsWith("http://localhost:", web, StringComparison.Ordinal); // WebAuthn takes a domain, never an IP address
        await using var ownerContext = await Chrome.NewContextAsync(new() { BaseURL = web, TimezoneId = "Europe/Amsterdam" });
        var owner = await ownerContext.NewPageAsync();
        await AddAuthenticatorAsync(ownerContext, owner);
        var email = ApiUser.NewEmail();
        await BrowserJourneyTests.SignUpAndInAsync(owner, email);

        await owner.GotoAsync("/settings/");
        await Expect(owner.Locator("#passkeys")).ToContainTextAsync("You have no passkeys yet.");
        await owner.FillAsync("#new-passkey-name", "Work laptop");
        await owner.FillAsync("#new-passkey-password", "first password");
        await owner.ClickAsync("#passkeys button:text-is('Add a passkey')");
        await Expect(owner.Locator(".alert-success")).ToHaveTextAsync("Passkey “Work laptop” is added: you can sign in with it");
        await Expect(owner.Locator("#passkeys td.passkey-name")).ToHaveTextAsync(["Work laptop"]);
        await Expect(owner.Locator("#passkeys tbody tr td:nth-child(3)")).ToHaveTextAsync("Never");
        await ShotAsync(owner, "settings-passkeys");

        // Signed out, the sign-in page offers the passkey; the browser answers, and the site signs its account in.
        await SignOutAsync(owner);
        await Expect(owner.Locator("main button:text-is('Sign in with a passkey')")).ToBeVisibleAsync();
        await ShotAsync(owner, "signin-passkey");
        var posted = await SignInWithPasskeyAsync(owner);
        await Expect(owner.Locator(".account-bar")).ToContainTextAsync(email);
        await owner.GotoAsync("/settings/");
        await Expect(owner.Locator("#passkeys tbody tr td:nth-child(3)")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Today at \\d\\d:\\d\\d$"));

        // An attacker who recorded that sign-in's request sends it again: the ceremony it answered was used up.
        await SignOutAsync(owner);
        var replayed = await ownerContext.APIRequest.PostAsync(posted.Url, new()
        {
            Headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
            Data = posted.PostData,
            MaxRedirects = 0,
        });
        Assert.Equal(200, replayed.Status);
        Assert.Contains("This passkey was not accepted", await replayed.TextAsync(), StringComparison.Ordinal);
        await owner.GotoAsync("/settings/");
        Assert.EndsWith("/signin/?ReturnUrl=%2Fsettings%2F", owner.Url, StringComparison.Ordinal);

        // Another person, in a browser of their own, sees nothing of the owner's passkey and cannot rename or remove it.
        await SignInWithPasskeyAsync(owner);
        await owner.GotoAsync("/settings/");
        var ownersPasskey = await owner.Locator("#passkeys input[name=PasskeyId]").First.InputValueAsync();
        await using var otherContext = await Chrome.NewContextAsync(new() { BaseURL = web });
        var other = await otherContext.NewPageAsync();
        await AddAuthenticatorAsync(otherContext, other);
        await BrowserJourneyTests.SignUpAndInAsync(other, ApiUser.NewEmail());
        await other.GotoAsync("/settings/");
        await Expect(other.Locator("#passkeys")).ToContainTextAsync("You have no passkeys yet.");
        foreach (var (handler, field) in new[] { ("RemovePasskey", ""), ("RenamePasskey", "&PasskeyName=Mine") })
        {
            var token = await other.Locator("#passkeys form input[name=__RequestVerificationToken]").First.InputValueAsync();
            var tried = await otherContext.APIRequest.PostAsync($"/settings/?handler={handler}", new()
            {
                Headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
                Data = $"__RequestVerificationToken={Uri.EscapeDataString(token)}&PasskeyId={Uri.EscapeDataString(ownersPasskey)}{field}",
                MaxRedirects = 0,
            });
            Assert.Contains("No such passkey.", await tried.TextAsync(), StringComparison.Ordinal);
        }

        // Their own passkey, removed, signs in no more (the authenticator still holds it; the site does not).
        // A stolen session alone adds none: the form takes the password.
        await other.FillAsync("#new-passkey-name", "Attacker's");
        await other.FillAsync("#new-passkey-password", "a guess");
        await other.ClickAsync("#passkeys button:text-is('Add a passkey')");
        await Expect(other.Locator(".alert-error")).ToHaveTextAsync("The password is wrong.");
        await Expect(other.Locator("#passkeys")).ToContainTextAsync("You have no passkeys yet.");
        await other.FillAsync("#new-passkey-name", "Phone");
        await other.FillAsync("#new-passkey-password", "first password");
        await other.ClickAsync("#passkeys button:text-is('Add a passkey')");
        await Expect(other.Locator("#passkeys td.passkey-name")).ToHaveTextAsync(["Phone"]);
        await other.ClickAsync("#passkeys button:text-is('Remove')");
        await Expect(other.Locator(".alert-success")).ToHaveTextAsync("Passkey is removed: it no longer signs in to this account");
        await SignOutAsync(other);
        await other.ClickAsync("main button:text-is('Sign in with a passkey')");
        await Expect(other.Locator(".alert-error")).ToContainTextAsync("This passkey was not accepted");

        await owner.GotoAsync("/settings/");
        await Expect(owner.Locator("#passkeys td.passkey-name")).ToHaveTextAsync(["Work laptop"]);

        // The owner drops the password: passkeys only from now on, and the last one cannot go.
        await owner.FillAsync("#CurrentPassword", "first password");
        await owner.ClickAsync("#remove-password button:text-is('Remove my password')");
        await Expect(owner.Locator(".alert-success")).ToHaveTextAsync("Password is removed: sign in with your passkey from now on");
        await Expect(owner.Locator("main")).ToContainTextAsync("This account has no password");
        await Expect(owner.Locator("#OldPassword")).ToHaveCountAsync(0);
        await owner.ClickAsync("#passkeys button:text-is('Remove')");
        await Expect(owner.Locator(".alert-error")).ToContainTextAsync("only way into your account");
        await Expect(owner.Locator("#passkeys td.passkey-name")).ToHaveTextAsync(["Work laptop"]);

        // Without a password, adding another passkey first asks for one the account has: the laptop's authenticator confirms
        // it, then, asked to make a second passkey for the same account, refuses (the site lists it in excludeCredentials).
        await owner.FillAsync("#new-passkey-name", "Second laptop passkey");
        await owner.ClickAsync("#passkeys button:text-is('Add a passkey')");
        await Expect(owner.Locator(".passkey-error")).ToHaveTextAsync("This device already holds a passkey for this account.");
        Assert.Matches("^[A-Za-z0-9_-]{43}$", await owner.Locator("input[name=ConfirmCeremony]").InputValueAsync());
        await Expect(owner.Locator("#passkeys td.passkey-name")).ToHaveTextAsync(["Work laptop"]);
        await SignOutAsync(owner);
        await owner.FillAsync("#Email", email);
        await owner.FillAsync("#Password", "first password");
        await owner.ClickAsync("main button[type=submit]:text-is('Sign in')");
        await Expect(owner.Locator(".alert-error")).ToContainTextAsync("Wrong email or password");

        // Deleting a passwordless account is confirmed with its passkey.
        await SignInWithPasskeyAsync(owner);
        await owner.GotoAsync("/settings/delete/");
        await owner.ClickAsync("main button:text-is('Confirm with my passkey and delete my account')");
        await Expect(owner.Locator(".alert-success")).ToHaveTextAsync("Your account has been deleted");
        await owner.ClickAsync("main button:text-is('Sign in with a passkey')");
        await Expect(owner.Locator(".alert-error")).ToContainTextAsync("This passkey was not accepted");
    }

    /// <summary>
    /// The sign-in page's autofill (conditional mediation): where the browser offers it, visiting the page is enough for the
    /// virtual authenticator, which picks its one passkey at once as a person would pick it from the email field's list.
    /// </summary>
    [Fact]
    public async Task The_sign_in_page_offers_the_passkey_in_autofill_where_the_browser_can()
    {
        var web = topology.App.GetEndpoint("web", "http").ToString();
        await using var context = await Chrome.NewContextAsync(new() { BaseURL = web });
        var page = await context.NewPageAsync();
        await AddAuthenticatorAsync(context, page, conditional: true);
        var email = ApiUser.NewEmail();
        await BrowserJourneyTests.SignUpAndInAsync(page, email);
        await page.GotoAsync("/settings/");
        await page.FillAsync("#new-passkey-password", "first password");
        await page.ClickAsync("#passkeys button:text-is('Add a passkey')");
        await Expect(page.Locator("#passkeys td.passkey-name")).ToHaveTextAsync(["Passkey"]);
        Assert.True(await page.EvaluateAsync<bool>("PublicKeyCredential.isConditionalMediationAvailable()"));

        await page.ClickAsync("nav button:text-is('Sign out')");
        await page.GotoAsync("/signin/");
        await page.WaitForURLAsync(url => !url.Contains("/signin/", StringComparison.Ordinal));
        await Expect(page.Locator(".account-bar")).ToContainTextAsync(email);
    }

    /// <summary>
    /// A CTAP2 platform authenticator with resident keys and user verification that says yes at once. Its conditional
    /// requests (autofill) would answer at once too, so the journey turns them off and presses the button, as a person would.
    /// </summary>
    internal static async Task AddAuthenticatorAsync(IBrowserContext context, IPage page, bool conditional = false)
    {
        if (!conditional)
        {
            await context.AddInitScriptAsync("PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);");
        }

        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable", new Dictionary<string, object> { ["enableUI"] = false });
        var added = await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        Assert.Equal(JsonValueKind.String, added?.GetProperty("authenticatorId").ValueKind);
    }

    /// <summary>Signs in with the passkey button (from the sign-in page); the form post the browser sent.</summary>
    private static async Task<IRequest> SignInWithPasskeyAsync(IPage page)
    {
        if (!page.Url.Contains("/signin/", StringComparison.Ordinal))
        {
            await page.GotoAsync("/signin/");
        }

        var console = new List<string>();
        page.Console += (_, message) => console.Add(message.Text);
        IRequest request;
        try
        {
            request = await page.RunAndWaitForRequestAsync(
                () => page.ClickAsync("main button:text-is('Sign in with a passkey')"),
                r => r.Method == "POST" && r.Url.EndsWith("?handler=Passkey", StringComparison.Ordinal), new() { Timeout = 15_000 });
        }
        catch (TimeoutException)
        {
            // What the page said instead: the script's message to the person, and the browser's console.
            var shown = await page.Locator(".passkey-error").TextContentAsync();
            throw new Xunit.Sdk.XunitException($"No passkey sign-in was posted. The page shows: {shown}; console: {string.Join(" | ", console)}");
        }

        try
        {
            await page.WaitForURLAsync(url => !url.Contains("/signin/", StringComparison.Ordinal), new() { Timeout = 15_000 });
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"The passkey sign-in was refused: {await page.Locator("main").TextContentAsync()}");
        }

        return request;
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.ClickAsync("nav button:text-is('Sign out')");
        await page.GotoAsync("/signin/");
    }
}
