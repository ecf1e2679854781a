namespace Notejam.DevTools.Site;

/// <summary>A person with an account, signed in to the site through its forms.</summary>
public sealed class SiteUser(SiteBrowser browser, string email, string password) : IDisposable
{
    public SiteBrowser Browser { get; } = browser;

    public string Email { get; } = email;

    public string Password { get; } = password;

    /// <summary>The password of every person made here (the site's rules: at least 8 characters, not all one kind).</summary>
    public const string DefaultPassword = "correct horse 1";

    /// <summary>An address nobody else has.</summary>
    public static string NewEmail() => $"user-{Guid.NewGuid():N}@example.com";

    public static async Task<SiteUser> SignUpAndInAsync(SiteBrowser browser)
    {
        var email = NewEmail();
        const string password = DefaultPassword;
        var signup = await browser.GetAsync("/signup/");
        var signedUp = await browser.SubmitAsync(signup, new Dictionary<string, string?>
        {
            ["Email"] = email, ["Password"] = password, ["RepeatPassword"] = password,
        });
        if (signedUp.Url.AbsolutePath != "/signin/")
        {
            throw new SiteException($"Sign-up stayed on {signedUp.Url.AbsolutePath} ({(int)signedUp.Status}): error \"{signedUp.Error}\", email \"{signedUp.FieldError("Email")}\", " +
                $"password \"{signedUp.FieldError("Password")}\", repeat \"{signedUp.FieldError("RepeatPassword")}\"");
        }

        var home = await SignInAsync(browser, email, password);
        if (home.SignedInAs != email)
        {
            throw new SiteException($"Signing in as {email} showed {home.Url} ({(int)home.Status}), signed in as \"{home.SignedInAs}\": {home.Error}");
        }

        return new SiteUser(browser, email, password);
    }

    /// <summary>Signs in through the form of /signin/; the page it ends on (signed in or not: see <see cref="SitePage.SignedInAs"/>).</summary>
    public static async Task<SitePage> SignInAsync(SiteBrowser browser, string email, string password) =>
        await browser.SubmitAsync(await browser.GetAsync("/signin/"), new Dictionary<string, string?> { ["Email"] = email, ["Password"] = password });

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
        catch (Exception exception) when (exception is SiteException or HttpRequestException)
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
