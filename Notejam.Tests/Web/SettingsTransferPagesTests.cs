using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

[Collection(SiteTests.Name)]
public sealed class SettingsTransferPagesTests(SiteFactory site)
{
    [Fact]
    public async Task Settings_offer_export_import_and_deleting_the_account_after_the_password_form()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var settings = await user.Browser.GetAsync("/settings/");

        Assert.NotNull(settings.Document.QuerySelector("main form input[name='OldPassword']"));
        Assert.Equal(["/settings/export/?format=zip", "/settings/export/?format=json", "/settings/export/?format=json&history=true", "/settings/delete/"],
            settings.Document.QuerySelectorAll("main section a.button").Select(a => a.GetAttribute("href")));
        var import = settings.Document.QuerySelector("main form[action='/settings/import/']")!;
        Assert.Equal("multipart/form-data", import.GetAttribute("enctype"));
        Assert.NotNull(import.QuerySelector("input[type=file][name=Upload]"));
        Assert.NotNull(import.QuerySelector("input[name='__RequestVerificationToken']"));
    }

    [Fact]
    public async Task My_notes_download_as_a_zip_of_markdown_and_as_json()
    {
        using var user = await WithTwoNotesAsync();
        using var http = Downloads(user);

        using var zipped = await http.GetAsync("/settings/export/?format=zip");
        using var json = await http.GetAsync("/settings/export/?format=json");

        Assert.Equal(HttpStatusCode.OK, zipped.StatusCode);
        Assert.Equal("application/zip", zipped.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", zipped.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"notejam-{DateTime.UtcNow:yyyy-MM-dd}.zip", zipped.Content.Headers.ContentDisposition?.FileNameStar);
        using var zip = new ZipArchive(await zipped.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        Assert.Equal(["No pad/", "No pad/Loose.md", "Personal/", "Personal/My July plans.md"],
            zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
        Assert.EndsWith("\n1. Finish the project", await new StreamReader(zip.GetEntry("Personal/My July plans.md")!.Open()).ReadToEndAsync(), StringComparison.Ordinal);
        Assert.Equal($"notejam-{DateTime.UtcNow:yyyy-MM-dd}.json", json.Content.Headers.ContentDisposition?.FileNameStar);
        var document = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Personal", document.GetProperty("pads")[0].GetProperty("name").GetString());
        Assert.Equal("Loose", document.GetProperty("notes")[0].GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/settings/export/?format=pdf")).StatusCode);
        Assert.False(document.GetProperty("notes")[0].TryGetProperty("history", out _));
        var withHistory = JsonDocument.Parse(await http.GetStringAsync("/settings/export/?format=json&history=true")).RootElement;
        Assert.Equal(JsonValueKind.Array, withHistory.GetProperty("notes")[0].GetProperty("history").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/settings/export/?format=zip&history=true")).StatusCode);
    }

    [Fact]
    public async Task An_export_uploaded_into_another_account_brings_its_notes_and_pads()
    {
        using var source = await WithTwoNotesAsync();
        using var http = Downloads(source);
        var export = await http.GetByteArrayAsync("/settings/export/?format=json");
        using var target = await SiteUser.SignUpAndInAsync(site);

        var imported = await UploadAsync(target, export);

        Assert.Equal("/", imported.Url.AbsolutePath);
        Assert.Equal("Notes are successfully imported: 2 notes, 1 new pad", imported.Flash);
        Assert.Equal(["Loose", "My July plans"], imported.NoteNames.Order(StringComparer.Ordinal));
        Assert.Equal(["Personal"], imported.PadNames);
        Assert.Equal((await source.Browser.GetAsync("/")).Document.QuerySelector("table.notes")!.TextContent,
            imported.Document.QuerySelector("table.notes")!.TextContent);
    }

    [Fact]
    public async Task A_bad_file_is_refused_beside_the_field_and_nothing_is_imported()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var invalid = await UploadAsync(user, Encoding.UTF8.GetBytes(
            """{"format":"notejam-export","version":1,"pads":[{"name":"Fine","notes":[{"name":" ","text":"t","createdAt":"2020-01-01T00:00:00Z","updatedAt":"2020-01-01T00:00:00Z"}]}]}"""));
        var broken = await UploadAsync(user, Encoding.UTF8.GetBytes("{\"format\": "));
        var none = await UploadAsync(user, null);

        Assert.Equal("/settings/import/", invalid.Url.AbsolutePath);
        Assert.Equal("Import notes", invalid.Title);
        Assert.Equal("Nothing was imported. pads[0].notes[0].name: A note needs a name.", invalid.FieldError("Upload"));
        Assert.StartsWith("Nothing was imported. format: This is not readable JSON", broken.FieldError("Upload"), StringComparison.Ordinal);
        Assert.Equal("Choose a Notejam JSON export to import.", none.FieldError("Upload"));
        var home = await user.Browser.GetAsync("/");
        Assert.Empty(home.NoteNames);
        Assert.Empty(home.PadNames);
    }

    [Fact]
    public async Task A_file_over_20_MB_is_refused_with_the_limit()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var page = await UploadAsync(user, new byte[21 * 1024 * 1024]);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("This file is 21 MB; an import takes at most 20 MB. Nothing was imported.", page.FieldError("Upload"));
    }

    [Fact]
    public async Task An_upload_too_large_to_take_is_the_error_page_saying_so()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var page = await UploadAsync(user, new byte[41 * 1024 * 1024]);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, page.Status);
        Assert.Equal("Too large", page.Title);
        Assert.Contains("an import is at most 20 MB", page.Document.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upload_needs_the_form_another_site_cannot_post()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var forged = await UploadAsync(user, Encoding.UTF8.GetBytes("""{"format":"notejam-export","version":1,"notes":[]}"""), withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, forged.Status);
    }

    [Fact]
    public async Task A_wrong_password_keeps_the_account()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        await user.CreateNoteAsync("Kept");
        var confirm = await user.Browser.GetAsync("/settings/delete/");
        Assert.Equal("Delete my account", confirm.Title);
        Assert.Contains("all 1 note and 0 pads", confirm.Document.QuerySelector("main form p")!.TextContent, StringComparison.Ordinal);

        var wrong = await user.Browser.SubmitAsync(confirm, new Dictionary<string, string?> { ["Password"] = "not the password" });
        var empty = await user.Browser.SubmitAsync(confirm, new Dictionary<string, string?> { ["Password"] = "" });

        Assert.Equal("The password is wrong.", wrong.FieldError("Password"));
        Assert.Equal("", wrong.Value("Password"));
        Assert.Equal("Enter your password to confirm.", empty.FieldError("Password"));
        Assert.Equal(["Kept"], (await user.Browser.GetAsync("/")).NoteNames);
    }

    [Fact]
    public async Task Deleting_my_account_signs_me_out_leaves_others_alone_and_frees_the_email()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        using var other = await SiteUser.SignUpAndInAsync(site);
        await user.CreateNoteAsync("Mine", "Goes", (await user.CreatePadAsync("Mine")).IdInUrl);
        await other.CreateNoteAsync("Theirs", "Stays", (await other.CreatePadAsync("Theirs")).IdInUrl);
        using var elsewhere = site.Browser();
        await elsewhere.SubmitAsync(await elsewhere.GetAsync("/signin/"), new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = user.Password });

        var deleted = await user.Browser.SubmitAsync(await user.Browser.GetAsync("/settings/delete/"), new Dictionary<string, string?> { ["Password"] = user.Password });

        Assert.Equal("/signin/", deleted.Url.AbsolutePath);
        Assert.Equal("Your account has been deleted", deleted.Flash);
        Assert.Null(deleted.SignedInAs);
        Assert.DoesNotContain(user.Browser.Cookies.GetCookies(user.Browser.Site).Cast<Cookie>(), c => c.Name == "notejam");
        Assert.Equal("/signin/", (await user.Browser.GetAsync("/")).Url.AbsolutePath);
        Assert.Equal("/signin/", (await elsewhere.GetAsync("/")).Url.AbsolutePath);
        var signIn = await user.Browser.SubmitAsync(await user.Browser.GetAsync("/signin/"),
            new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = user.Password });
        Assert.Equal("Wrong email or password", signIn.Error);
        Assert.Equal(["Theirs"], (await other.Browser.GetAsync("/")).NoteNames);

        var again = await user.Browser.SubmitAsync(await user.Browser.GetAsync("/signup/"), new Dictionary<string, string?>
        {
            ["Email"] = user.Email, ["Password"] = "a new start", ["RepeatPassword"] = "a new start",
        });
        Assert.Equal("Account is created. Now you can sign in.", again.Flash);
        var fresh = await user.Browser.SubmitAsync(again, new Dictionary<string, string?> { ["Email"] = user.Email, ["Password"] = "a new start" });
        Assert.Equal("All notes (0)", fresh.Title);
        Assert.Empty(fresh.PadNames);
    }

    /// <summary>A person with a note in the pad "Personal" and one without a pad.</summary>
    private async Task<SiteUser> WithTwoNotesAsync()
    {
        var user = await SiteUser.SignUpAndInAsync(site);
        var pad = await user.CreatePadAsync("Personal");
        await user.CreateNoteAsync("My July plans", "1. Finish the project", pad.IdInUrl);
        await user.CreateNoteAsync("Loose", "No pad");
        return user;
    }

    /// <summary>Posts the settings page's import form with a file (or none), as a browser does: multipart, with its token.</summary>
    private static async Task<SitePage> UploadAsync(SiteUser user, byte[]? file, bool withToken = true)
    {
        var settings = await user.Browser.GetAsync("/settings/");
        var form = new MultipartFormDataContent();
        if (withToken)
        {
            form.Add(new StringContent(settings.Document.QuerySelector("form[action='/settings/import/'] input[name='__RequestVerificationToken']")!
                .GetAttribute("value")!), "__RequestVerificationToken");
        }

        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            form.Add(part, "Upload", "notejam.json");
        }

        // The body follows once the site agrees to read it, as browsers' uploads do not, but so a refusal is seen, not a broken pipe.
        return await user.Browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/settings/import/") { Content = form, Headers = { ExpectContinue = true } });
    }

    private static HttpClient Downloads(SiteUser user) =>
        new(new HttpClientHandler { CookieContainer = user.Browser.Cookies, AllowAutoRedirect = false }) { BaseAddress = user.Browser.Site };
}
