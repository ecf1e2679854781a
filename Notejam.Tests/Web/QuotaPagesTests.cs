using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

/// <summary>
/// Security review: no storage quota. The site in front of an API replica with a small quota shows the API's message
/// beside the form, keeping what was typed.
/// </summary>
[Collection(SiteTests.Name)]
public sealed class QuotaPagesTests(SiteFactory site)
{
    [Fact]
    public async Task Storage_quota_message_is_shown_beside_the_note_forms_keeping_what_was_typed()
    {
        using var api = site.Api.AnotherReplica(web =>
        {
            web.UseSetting("Notejam:Quota:Notes", "2");
            web.UseSetting("Notejam:Quota:Bytes", "100");
        });
        using var person = await SiteUser.SignUpAndInAsync(site, site.StartWeb(ServerAddress.Of(api)));

        var first = await person.CreateNoteAsync("First", "Short");
        Assert.Equal("Note is successfully created", first.Flash);
        var edit = await person.Browser.GetAsync($"/notes/{first.IdInUrl}/edit/");
        var grown = await person.Browser.SubmitAsync(edit, new Dictionary<string, string?> { ["Text"] = new string('x', 101) });
        Assert.Equal(HttpStatusCode.OK, grown.Status);
        Assert.Equal("Your notes have reached the limit of 100 bytes of text. Delete some to make room.", grown.Error);
        Assert.Equal(new string('x', 101), grown.Value("Text"));
        Assert.Equal("Short", (await person.Browser.GetAsync($"/notes/{first.IdInUrl}/edit/")).Value("Text"));

        await person.CreateNoteAsync("Second", "Short");
        var third = await person.CreateNoteAsync("Third", "Typed, not lost");
        Assert.Equal("/notes/create/", third.Url.AbsolutePath);
        Assert.Equal("Your notes have reached the limit of 2 notes. Delete some to make room.", third.Error);
        Assert.Equal("Third", third.Value("Name"));
        Assert.Equal("Typed, not lost", third.Value("Text"));
        Assert.Equal(["First", "Second"], (await person.Browser.GetAsync("/")).NoteNames.Order());

        var import = await person.Browser.GetAsync("/settings/import/");
        var form = new MultipartFormDataContent
        {
            { new StringContent(import.Document.QuerySelector("main form input[name='__RequestVerificationToken']")!.GetAttribute("value")!), "__RequestVerificationToken" },
        };
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(
            """{"format":"notejam-export","version":1,"notes":[{"name":"Imported","text":"t","createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z"}]}"""));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        form.Add(file, "Upload", "notejam.json");
        var imported = await person.Browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/settings/import/") { Content = form });
        Assert.Equal(
            "Nothing was imported. This import of 1 note would take your notes past the limit of 2 notes. Delete some to make room.",
            imported.FieldError("Upload"));
        Assert.Equal(["First", "Second"], (await person.Browser.GetAsync("/")).NoteNames.Order());
    }
}
