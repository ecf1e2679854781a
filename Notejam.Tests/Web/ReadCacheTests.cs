using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Notejam.Api.Data;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Web;

/// <summary>
/// The web keeps the API's answers and revalidates them on every page (ApiReadCache, the API's ETags). What that must
/// never cost: a write not seen on the next page from another web replica behind another API replica, one person's
/// answers on another person's page, a page for a session that has ended.
/// </summary>
[Collection(SiteTests.Name)]
public sealed class ReadCacheTests(SiteFactory site)
{
    [Fact]
    public async Task A_write_through_one_web_and_api_replica_is_on_the_next_page_from_the_other_pair()
    {
        // Replica pair A: the site's web in front of the site's api. Pair B: another web in front of another api process.
        using var apiB = site.Api.AnotherReplica();
        var webB = site.StartWeb(ServerAddress.Of(apiB));
        using var owner = await SiteUser.SignUpAndInAsync(site);
        var padId = (await owner.CreatePadAsync("Groceries")).IdInUrl;
        await owner.CreateNoteAsync("Milk", padId: padId);
        using var onB = site.Browser(webB);
        onB.Cookies.Add(owner.Browser.Cookies.GetAllCookies());

        // Both web replicas have seen (and keep) every page.
        foreach (var browser in new[] { owner.Browser, onB })
        {
            Assert.Contains("Milk", (await browser.GetAsync("/")).NoteNames);
            Assert.Contains("Milk", (await browser.GetAsync($"/pads/{padId}/")).NoteNames);
        }

        // Written through A: seen on B's next pages, the list, the pad's list and the sidebar.
        await owner.CreateNoteAsync("Bread", padId: padId);
        await owner.Browser.SubmitAsync(await owner.Browser.GetAsync($"/pads/{padId}/edit/"),
            new Dictionary<string, string?> { ["Name"] = "Shopping" });
        var home = await onB.GetAsync("/");
        Assert.Equal(["Bread", "Milk"], home.NoteNames.Order());
        Assert.Contains("Shopping", home.PadNames);
        Assert.DoesNotContain("Groceries", home.PadNames);
        Assert.Equal(["Bread", "Milk"], (await onB.GetAsync($"/pads/{padId}/")).NoteNames.Order());

        // Written through B: seen on A's next page.
        await new SiteUser(onB, owner.Email, owner.Password).CreateNoteAsync("Eggs", padId: padId);
        Assert.Contains("Eggs", (await owner.Browser.GetAsync("/")).NoteNames);
        Assert.Contains("Eggs", (await owner.Browser.GetAsync($"/pads/{padId}/")).NoteNames);
    }

    [Fact]
    public async Task Two_people_on_one_replica_each_see_only_their_own_pages()
    {
        using var alice = await SiteUser.SignUpAndInAsync(site);
        using var bob = await SiteUser.SignUpAndInAsync(site);
        var alicesPad = (await alice.CreatePadAsync("Alice's pad")).IdInUrl;
        await alice.CreateNoteAsync("Alice's note", padId: alicesPad);
        var bobsPad = (await bob.CreatePadAsync("Bob's pad")).IdInUrl;
        await bob.CreateNoteAsync("Bob's note", padId: bobsPad);

        // The same URLs, one after the other, several times: each keeps and revalidates only their own.
        for (var round = 0; round < 3; round++)
        {
            foreach (var (person, mine, theirs) in new[] { (alice, "Alice", "Bob"), (bob, "Bob", "Alice") })
            {
                foreach (var url in new[] { "/", "/?order=name", "/pads/create/" })
                {
                    var page = await person.Browser.GetAsync(url);
                    Assert.True(page.Status == HttpStatusCode.OK, $"{url} for {mine}: {(int)page.Status} \"{page.Title}\" at {page.Url}");
                    Assert.DoesNotContain(theirs, page.Html, StringComparison.Ordinal);
                    Assert.Contains($"{mine}'s pad", page.PadNames);
                }
            }

            // The other's pad is a 404, however warm the cache.
            Assert.Equal(HttpStatusCode.NotFound, (await alice.Browser.GetAsync($"/pads/{bobsPad}/")).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await bob.Browser.GetAsync($"/pads/{alicesPad}/")).Status);
        }
    }

    [Fact]
    public async Task A_kept_cookie_gets_no_kept_page_once_its_session_has_ended()
    {
        using var owner = await SiteUser.SignUpAndInAsync(site);
        var padId = (await owner.CreatePadAsync("Warm")).IdInUrl;
        var noteId = (await owner.CreateNoteAsync("Warm", padId: padId)).IdInUrl;
        var pages = new[] { "/", $"/pads/{padId}/", $"/notes/{noteId}/" };
        foreach (var url in pages)
        {
            Assert.Equal(HttpStatusCode.OK, (await owner.Browser.GetAsync(url)).Status);
        }

        var kept = owner.Browser.Cookies.GetCookieHeader(owner.Browser.Site);
        await owner.Browser.SubmitAsync(await owner.Browser.GetAsync("/signout/"), new Dictionary<string, string?>());

        using var replay = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = owner.Browser.Site };
        foreach (var url in pages)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("Cookie", kept);
            using var response = await replay.SendAsync(request);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/signin/", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
    }
}
