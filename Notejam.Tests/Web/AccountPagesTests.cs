using System.Net;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

[Collection(SiteTests.Name)]
public sealed class AccountPagesTests(SiteFactory site)
{
    private static Dictionary<string, string?> SignUpForm(string? email, string? password = "long enough", string? repeat = "long enough") =>
        new() { ["Email"] = email, ["Password"] = password, ["RepeatPassword"] = repeat };

    [Fact]
    public async Task Sign_up_succeeds_and_leads_to_sign_in()
    {
        using var browser = site.Browser();

        var page = await browser.SubmitAsync(await browser.GetAsync("/signup/"), SignUpForm(ApiUser.NewEmail()));

        Assert.Equal("/signin/", page.Url.AbsolutePath);
        Assert.Equal("Account is created. Now you can sign in.", page.Flash);
        Assert.Equal("Sign in", page.Title);
    }

    /// <summary>
    /// Without JavaScript (this client runs none) the passkey forms stay hidden, nothing on the page needs them, and the
    /// password forms work as ever; the script that shows them is a file of this site, as the CSP requires.
    /// </summary>
    [Fact]
    public async Task Without_javascript_the_passkey_forms_stay_hidden_and_passwords_work()
    {
        using var browser = site.Browser();
        var signIn = await browser.GetAsync("/signin/");
        var passkeyForm = signIn.Document.QuerySelector("form[data-passkey]")!;
        Assert.True(passkeyForm.HasAttribute("hidden"));
        Assert.Equal("/js/passkeys.js", new Uri(signIn.Url, signIn.Document.QuerySelector("script[src*='passkeys']")!.GetAttribute("src")!).AbsolutePath);
        using var raw = new HttpClient { BaseAddress = browser.Site };
        using var script = await raw.GetAsync("/js/passkeys.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);

        using var person = await SiteUser.SignUpAndInAsync(site);
        var settings = await person.Browser.GetAsync("/settings/");
        Assert.True(settings.Document.QuerySelector("form[data-passkey=create]")!.HasAttribute("hidden"));
        Assert.Contains("Adding a passkey needs JavaScript", settings.Document.QuerySelector("noscript")!.InnerHtml, StringComparison.Ordinal);
        var changed = await person.Browser.SubmitAsync(settings, new Dictionary<string, string?>
        {
            ["OldPassword"] = person.Password, ["NewPassword"] = "another password", ["RepeatNewPassword"] = "another password",
        });
        Assert.Equal("Password is successfully changed", changed.Flash);
    }

    [Theory]
    [InlineData("Email")]
    [InlineData("Password")]
    [InlineData("RepeatPassword")]
    public async Task Sign_up_fails_if_a_required_field_is_missing(string missing)
    {
        using var browser = site.Browser();
        var email = ApiUser.NewEmail();
        var form = SignUpForm(email);
        form[missing] = "";

        var page = await browser.SubmitAsync(await browser.GetAsync("/signup/"), form);

        Assert.Equal("/signup/", page.Url.AbsolutePath);
        Assert.NotEmpty(page.FieldError(missing));
        Assert.Equal(missing == "Email" ? "" : email, page.Value("Email"));
        Assert.Equal("", page.Value("Password"));
    }

    [Fact]
    public async Task Sign_up_fails_on_an_invalid_email()
    {
        using var browser = site.Browser();

        var page = await browser.SubmitAsync(await browser.GetAsync("/signup/"), SignUpForm("not-an-email"));

        Assert.Equal("Enter a valid email address.", page.FieldError("Email"));
        Assert.Equal("not-an-email", page.Value("Email"));
    }

    [Fact]
    public async Task Sign_up_fails_if_the_email_exists()
    {
        using var existing = await SiteUser.SignUpAndInAsync(site);
        using var browser = site.Browser();

        var page = await browser.SubmitAsync(await browser.GetAsync("/signup/"), SignUpForm(existing.Email.ToUpperInvariant()));

        Assert.Equal("An account with this email already exists.", page.FieldError("Email"));
    }

    [Fact]
    public async Task Sign_up_fails_if_the_passwords_differ_and_never_shows_them_again()
    {
        using var browser = site.Browser();

        var page = await browser.SubmitAsync(await browser.GetAsync("/signup/"), SignUpForm(ApiUser.NewEmail(), "long enough", "long enougH"));

        Assert.Equal("The passwords do not match.", page.FieldError("RepeatPassword"));
        Assert.DoesNotContain("long enough", page.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_succeeds_and_shows_all_notes()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var home = await user.Browser.GetAsync("/");

        Assert.Equal("All notes (0)", home.Title);
        Assert.Equal(user.Email, home.SignedInAs);
    }

    [Theory]
    [InlineData("Email")]
    [InlineData("Password")]
    public async Task Sign_in_fails_if_a_field_is_missing(string missing)
    {
        using var browser = site.Browser();
        var form = new Dictionary<string, string?> { ["Email"] = ApiUser.NewEmail(), ["Password"] = "long enough" };
        form[missing] = "";

        var page = await browser.SubmitAsync(await browser.GetAsync("/signin/"), form);

        Assert.NotEmpty(page.FieldError(missing));
        Assert.Null(page.SignedInAs);
    }

    [Fact]
    public async Task Sign_in_fails_on_wrong_credentials()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        using var browser = site.Browser();

        var page = await browser.SubmitAsync(await browser.GetAsync("/signin/"),
            new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = "not the password" });

        Assert.Equal("Wrong email or password", page.Error);
        Assert.Equal(user.Email, page.Value("Email"));
        Assert.Null(page.SignedInAs);
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in_and_back()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        using var browser = site.Browser();

        var signin = await browser.GetAsync("/notes/create/");
        Assert.Equal("/signin/", signin.Url.AbsolutePath);
        Assert.Equal("/notes/create/", signin.Value("ReturnUrl"));

        var back = await browser.SubmitAsync(signin, new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = user.Password });
        Assert.Equal("/notes/create/", back.Url.AbsolutePath);
        Assert.Equal("New note", back.Title);
    }

    [Fact]
    public async Task Sign_in_never_returns_to_another_site()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        using var browser = site.Browser();

        var signin = await browser.GetAsync("/signin/?ReturnUrl=https%3A%2F%2Fevil.example%2F");
        var after = await browser.SubmitAsync(signin, new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = user.Password });

        Assert.Equal(browser.Site.Authority, after.Url.Authority);
        Assert.Equal("/", after.Url.AbsolutePath);
    }

    [Fact]
    public async Task Signing_out_needs_the_form_another_site_cannot_post()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var confirm = await user.Browser.GetAsync("/signout/");
        Assert.Equal(user.Email, confirm.SignedInAs);
        var forged = await user.Browser.PostAsync("/signout/", []);
        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
        Assert.Equal(user.Email, (await user.Browser.GetAsync("/")).SignedInAs);

        var signedOut = await user.Browser.SubmitAsync(confirm, new Dictionary<string, string?>());

        Assert.Equal("/signin/", signedOut.Url.AbsolutePath);
        Assert.Equal("You are signed out", signedOut.Flash);
        Assert.Equal("/signin/", (await user.Browser.GetAsync("/")).Url.AbsolutePath);
    }

    [Fact]
    public async Task The_header_sign_out_button_signs_out()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var page = await user.Browser.SubmitAsync(await user.Browser.GetAsync("/"), new Dictionary<string, string?>(), ".account-bar form");

        Assert.Equal("/signin/", page.Url.AbsolutePath);
        Assert.Null(page.SignedInAs);
    }

    [Fact]
    public async Task The_password_is_changed_in_settings()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var settings = await user.Browser.GetAsync("/settings/");
        Assert.Equal("Account settings", settings.Title);

        var wrong = await user.Browser.SubmitAsync(settings, new Dictionary<string, string?>
        {
            ["OldPassword"] = "not it", ["NewPassword"] = "brand new pass", ["RepeatNewPassword"] = "brand new pass",
        });
        Assert.Equal("The current password is wrong.", wrong.FieldError("OldPassword"));

        var changed = await user.Browser.SubmitAsync(wrong, new Dictionary<string, string?>
        {
            ["OldPassword"] = user.Password, ["NewPassword"] = "brand new pass", ["RepeatNewPassword"] = "brand new pass",
        });
        Assert.Equal("Password is successfully changed", changed.Flash);
        Assert.Equal(user.Email, (await user.Browser.GetAsync("/")).SignedInAs);

        using var other = site.Browser();
        var old = await other.SubmitAsync(await other.GetAsync("/signin/"), new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = user.Password });
        Assert.Equal("Wrong email or password", old.Error);
        var fresh = await other.SubmitAsync(old, new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = "brand new pass" });
        Assert.Equal(user.Email, fresh.SignedInAs);
    }

    [Fact]
    public async Task A_forgotten_password_is_reset_through_the_mailed_link()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        using var browser = site.Browser();

        var asked = await browser.SubmitAsync(await browser.GetAsync("/forgot-password/"), new Dictionary<string, string?> { ["Email"] = user.Email });
        var stranger = await browser.SubmitAsync(await browser.GetAsync("/forgot-password/"), new Dictionary<string, string?> { ["Email"] = ApiUser.NewEmail() });
        Assert.Equal(asked.Flash, stranger.Flash);
        Assert.Equal("/signin/", asked.Url.AbsolutePath);

        var link = new Uri(Assert.Single(site.Api.Mail.ResetLinksTo(user.Email)));
        var reset = await browser.GetAsync(link.PathAndQuery);
        Assert.Equal("Choose a new password", reset.Title);
        var done = await browser.SubmitAsync(reset, new Dictionary<string, string?> { ["NewPassword"] = "reset via mail", ["RepeatNewPassword"] = "reset via mail" });
        Assert.Equal("Your password is changed. Sign in with the new one.", done.Flash);

        var again = await browser.SubmitAsync(await browser.GetAsync(link.PathAndQuery),
            new Dictionary<string, string?> { ["NewPassword"] = "third password", ["RepeatNewPassword"] = "third password" });
        Assert.Equal("This reset link is invalid or has expired.", again.FieldError("Token"));
        var signedIn = await browser.SubmitAsync(await browser.GetAsync("/signin/"),
            new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = "reset via mail" });
        Assert.Equal(user.Email, signedIn.SignedInAs);
    }
}
