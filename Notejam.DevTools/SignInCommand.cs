using System.CommandLine;
using Notejam.DevTools.Site;

namespace Notejam.DevTools;

/// <summary>
/// <c>signin</c>: signs in through the site's form as a browser does and prints <c>cookie=HEADER</c>, the Cookie header a
/// browser would then send (with <c>--form PATH</c>: after opening PATH, and <c>form=TOKEN</c>, its form's antiforgery
/// token). Exit code 0 when signed in, 3 when the site refused the email and password (which only a site whose api
/// reached its database does), 1 otherwise.
/// </summary>
internal static class SignInCommand
{
    public const int Refused = 3;

    public static Command Create()
    {
        var site = SiteOption.Create();
        var email = new Option<string>("--email") { Required = true };
        var password = new Option<string>("--password") { Required = true };
        var form = new Option<string?>("--form") { Description = "A page whose form's antiforgery token to print, e.g. /notes/create/." };
        var command = new Command("signin", "Signs in through the site's form; prints the Cookie header (and a form's token).")
        {
            site, email, password, form,
        };
        command.SetAction(async (result, _) =>
        {
            using var browser = new SiteBrowser(result.GetValue(site)!);
            try
            {
                var page = await SiteUser.SignInAsync(browser, result.GetValue(email)!, result.GetValue(password)!);
                if (page.SignedInAs is null)
                {
                    await Console.Error.WriteLineAsync($"Not signed in: {page.Url} ({(int)page.Status}) {page.Error}");
                    return page.Error?.Contains("Wrong email or password", StringComparison.Ordinal) == true ? Refused : 1;
                }

                if (result.GetValue(form) is { } path)
                {
                    var formPage = await browser.GetAsync(path);
                    Console.WriteLine($"form={formPage.Value("__RequestVerificationToken") ?? throw new SiteException($"{path} has no form token")}");
                }

                Console.WriteLine($"cookie={browser.Cookies.GetCookieHeader(browser.Site)}");
                return 0;
            }
            catch (Exception exception) when (exception is SiteException or HttpRequestException or TaskCanceledException)
            {
                await Console.Error.WriteLineAsync(exception.Message);
                return 1;
            }
        });
        return command;
    }
}
