namespace Notejam.Tests.Infrastructure;

/// <summary>A person with an account, signed in to the site through its forms.</summary>
public sealed class SiteUser(SiteBrowser browser, string email, string password) : IDisposable
{
    public SiteBrowser Browser { get; } = browser;

    public string Email { get; } = email;

    public string Password { get; } = password;

    public static Task<SiteUser> SignUpAndInAsync(SiteFactory site, WebFactory? web = null) => SignUpAndInAsync(site.Browser(web));

    public static async Task<SiteUser> SignUpAndInAsync(SiteBrowser browser)
    {
        var email = ApiUser.NewEmail();
        const string password = ApiUser.DefaultPassword;
        var signup = await browser.GetAsync("/signup/");
        var signedUp = await browser.SubmitAsync(signup, new Dictionary<string, string?>
        {
            ["Email"] = email, ["Password"] = password, ["RepeatPassword"] = password,
        });
        Assert.True(signedUp.Url.AbsolutePath == "/signin/",
            $"Sign-up stayed on {signedUp.Url.AbsolutePath} ({(int)signedUp.Status}): error \"{signedUp.Error}\", email \"{signedUp.FieldError("Email")}\", " +
            $"password \"{signedUp.FieldError("Password")}\", repeat \"{signedUp.FieldError("RepeatPassword")}\"");
        var home = await browser.SubmitAsync(signedUp, new Dictionary<string, string?> { ["Email"] = email, ["Password"] = password });
        Assert.Equal(email, home.SignedInAs);
        return new SiteUser(browser, email, password);
    }

    /// <summary>
    /// Whether a new person can sign up through the site and then get their notes page <paramref name="reads"/> times in
    /// a row: what "the site serves" means to the tests that wait for it (a start, a recovery).
    /// </summary>
    public static async Task<bool> CanSignUpAndReadAsync(SiteBrowser browser, int reads = 1)
    {
        try
        {
            using var person = await SignUpAndInAsync(browser);
            for (var read = 0; read < reads; read++)
            {
                if ((await person.Browser.GetAsync("/")).Status != System.Net.HttpStatusCode.OK)
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception exception) when (exception is Xunit.Sdk.XunitException or HttpRequestException)
        {
            return false;
        }
    }

    public async Task<SitePage> CreatePadAsync(string name) =>
        await Browser.SubmitAsync(await Browser.GetAsync("/pads/create/"), new Dictionary<string, string?> { ["Name"] = name });

    public async Task<SitePage> CreateNoteAsync(string name, string text = "Some text", int? padId = null) =>
        await Browser.SubmitAsync(await Browser.GetAsync("/notes/create/"), new Dictionary<string, string?>
        {
            ["Name"] = name, ["Text"] = text, ["PadId"] = padId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        });

    public void Dispose() => Browser.Dispose();
}
