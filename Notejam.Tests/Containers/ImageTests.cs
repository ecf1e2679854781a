using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Notejam.Tests.Browser;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Containers;

/// <summary>
/// The images themselves, as deploy/containers/check.sh runs them (built by the SDK on the base it is given, read-only,
/// no capabilities, 256 MiB, uid 1654, the api unpublished on a network of its own): a person's journey through the
/// site in Chromium, and the API's happy path, against those containers. check.sh gives their addresses
/// (NOTEJAM_IMAGES_WEB, NOTEJAM_IMAGES_API); without them the tests are skipped, saying so.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Containers)]
public sealed class ImageTests : ChromiumTests
{
    [ImagesFact]
    public async Task A_person_keeps_notes_in_a_pad_through_the_web_image_in_Chromium()
    {
        var context = await Chrome.NewContextAsync(new() { BaseURL = ImagesFactAttribute.Web!.ToString(), TimezoneId = "Europe/Amsterdam" });
        var page = await context.NewPageAsync();
        var email = ApiUser.NewEmail();

        await BrowserJourneyTests.SignUpAndInAsync(page, email);
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("All notes (0)");

        await page.ClickAsync("aside a:text-is('New pad')");
        await page.FillAsync("#Name", "Images");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator("h1.page-title")).ToHaveTextAsync("Images (0)");
        await page.ClickAsync("main a:text-is('New note')");
        await page.FillAsync("#Name", "Read-only root");
        await page.FillAsync("#Text", "**Hardened**, and still *rendered*.");
        await page.ClickAsync("main button[type=submit]");
        await Expect(page.Locator(".alert-success")).ToHaveTextAsync("Note is successfully created");
        await Expect(page.Locator(".note-text strong")).ToHaveTextAsync("Hardened");

        await page.ClickAsync(".logo");
        await Expect(page.Locator("td.note-name a")).ToHaveTextAsync(["Read-only root"]);
        await page.ClickAsync("nav button:text-is('Sign out')");
        await page.GotoAsync("/");
        await Expect(page.Locator("main button[type=submit]")).ToHaveTextAsync("Sign in");
    }

    [ImagesFact]
    public async Task The_api_image_serves_the_happy_path_with_validators_and_ends_sessions()
    {
        using var http = new HttpClient { BaseAddress = ImagesFactAttribute.Api };
        var email = ApiUser.NewEmail();
        const string password = "image password 1";
        Assert.Equal(HttpStatusCode.Created,
            (await http.PostAsJsonAsync("/users/register", new { email, password, repeatPassword = password })).StatusCode);
        var tokens = await ApiUser.SignInAsync(http, email, password);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.GetProperty("accessToken").GetString());

        var pad = await (await http.PostAsJsonAsync("/pads", new { name = "In the image" })).Content.ReadFromJsonAsync<JsonElement>();
        var created = await http.PostAsJsonAsync("/notes", new { name = "From the api image", text = "x", padId = pad.GetProperty("id").GetInt32() });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var list = await http.GetAsync("/notes");
        var notes = await list.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("From the api image", notes.GetProperty("items")[0].GetProperty("name").GetString());
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/notes");
        conditional.Headers.IfNoneMatch.Add(list.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(conditional)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/users/me/export")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync("/users/me/signout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/notes")).StatusCode);
    }
}

/// <summary>A fact that needs the images' containers deploy/containers/check.sh starts; skipped, saying so, without them.</summary>
public sealed class ImagesFactAttribute : FactAttribute
{
    public static readonly Uri? Web = Address("NOTEJAM_IMAGES_WEB");

    public static readonly Uri? Api = Address("NOTEJAM_IMAGES_API");

    public ImagesFactAttribute()
    {
        if (Web is null || Api is null)
        {
            Skip = "Runs against the images' containers that deploy/containers/check.sh starts (it sets NOTEJAM_IMAGES_WEB and NOTEJAM_IMAGES_API).";
        }
    }

    private static Uri? Address(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? new Uri(value) : null;
}
