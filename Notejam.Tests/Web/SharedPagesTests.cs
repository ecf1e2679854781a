using System.Net;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

/// <summary>
/// The shared note's page through the site, on two web replicas: shared through one, read and then refused at once
/// on the other, with nothing of anyone's account on it and the headers that keep the link out of search engines
/// and Referers.
/// </summary>
[Collection(SiteTests.Name)]
public sealed class SharedPagesTests(SiteFactory site)
{
    [Fact]
    public async Task A_link_shared_on_one_web_replica_reads_on_another_and_stops_there_at_once_when_revoked()
    {
        var webA = site.Web;
        var webB = site.StartWeb(ServerAddress.Of(site.Api));
        using var owner = await SiteUser.SignUpAndInAsync(site, webA);
        var note = await owner.CreateNoteAsync("Shared dinner", "**Soup** first");
        var shared = await owner.Browser.SubmitAsync(note, new Dictionary<string, string?>(), "main form.share-form");
        Assert.Equal("Note is shared: anyone with the link below can read it", shared.Flash);
        var link = new Uri(shared.Value("share-link") ?? shared.Document.QuerySelector("#share-link")!.GetAttribute("value")!);
        Assert.Equal("shared", (await owner.Browser.GetAsync("/")).Document.QuerySelector("td.note-name .shared-marker")?.TextContent);

        // Someone else, signed in on the other replica: they see the note and nothing of either account.
        using var reader = await SiteUser.SignUpAndInAsync(site, webB);
        var read = await reader.Browser.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Equal("Shared dinner", read.Title);
        Assert.Equal("Soup", read.Document.QuerySelector("main .note-text strong")?.TextContent);
        Assert.Null(read.SignedInAs);
        Assert.DoesNotContain(owner.Email, read.Html, StringComparison.Ordinal);
        Assert.DoesNotContain(reader.Email, read.Html, StringComparison.Ordinal);
        Assert.Empty(read.Document.QuerySelectorAll("aside, form, input[name=q]"));
        Assert.Equal("no-referrer", string.Join(",", read.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("noindex", string.Join(",", read.Headers.GetValues("X-Robots-Tag")), StringComparison.Ordinal);
        Assert.True(read.Headers.CacheControl?.NoStore);

        var stopped = await owner.Browser.SubmitAsync(await owner.Browser.GetAsync(new Uri(shared.Url.PathAndQuery, UriKind.Relative).OriginalString),
            new Dictionary<string, string?>(), "main form.share-form");
        Assert.Equal("Note is no longer shared: its link opens nothing now", stopped.Flash);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.Browser.GetAsync(link.PathAndQuery)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.Browser.GetAsync("/shared/%20/")).Status);
    }
}
