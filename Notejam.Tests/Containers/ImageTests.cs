using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using Notejam.DevTools.Load;
using Notejam.Tests.Browser;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Containers;

/// <summary>
/// The images themselves, built and run by <see cref="NotejamImages"/> as the chart and Container Apps run them (the SDK's
/// build on the base it is given; read-only, no capabilities, 256 MiB, the image's user; the api unpublished on a network
/// of the run's own): a person's journey through the site in Chromium, the API's happy path, and what an operator relies
/// on: the user is not root, /health answers soon after start, <c>docker stop</c> under load loses nothing acknowledged,
/// the api is out of reach from other networks, and the images are not much bigger than their base.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Containers)]
[Collection(ImagesRun.Name)]
public sealed class ImageTests(NotejamImages images, ITestOutputHelper output) : ChromiumTests
{
    // The bounds (15, item 2): /health within 3 s of start; the published base plus at most 60 MB.
    private static readonly TimeSpan HealthBound = TimeSpan.FromSeconds(3);
    private const long SizeBound = 60_000_000;

    [ContainerFact]
    public async Task A_person_keeps_notes_in_a_pad_through_the_web_image_in_Chromium()
    {
        var context = await Chrome.NewContextAsync(new() { BaseURL = images.Web.ToString(), TimezoneId = "Europe/Amsterdam" });
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
        // The password form's button comes first; "Sign in with a passkey" follows it.
        await Expect(page.Locator("main button[type=submit]").First).ToHaveTextAsync("Sign in");
    }

    [ContainerFact]
    public async Task The_api_image_serves_the_happy_path_with_validators_and_ends_sessions()
    {
        using var http = new HttpClient { BaseAddress = await images.ApiAsync() };
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

    [ContainerFact]
    public async Task Each_image_runs_as_its_own_uid_1654_never_root()
    {
        foreach (var (image, container) in new[] { (images.ApiImage, images.ApiContainer), (images.WebImage, images.WebContainer) })
        {
            // What the image says (no --user was given to docker run), and what the kernel says its processes run as.
            Assert.Equal("1654", (await NotejamImages.DockerAsync("image", "inspect", "-f", "{{.Config.User}}", image)).Trim());
            var processes = (await NotejamImages.DockerAsync("top", container, "-eo", "pid,uid")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["PID", "UID"], processes[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.NotEmpty(processes.Skip(1));
            Assert.All(processes.Skip(1), process => Assert.Equal("1654", process.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
        }

        NotejamImages.Report(output, $"user: notejam-api and notejam-web run as uid 1654 (docker top), read-only, no capabilities, no-new-privileges, 256 MiB");
    }

    [ContainerFact]
    public void Health_answers_within_3_s_of_each_containers_start()
    {
        NotejamImages.Report(output, $"start: /health answered {Seconds(images.ApiStart.Answered)} (api) and {Seconds(images.WebStart.Answered)} (web) " +
            $"after the container started, Healthy after {Seconds(images.ApiStart.Healthy)} and {Seconds(images.WebStart.Healthy)} (the bound: 3 s)");
        Assert.InRange(images.ApiStart.Answered, TimeSpan.Zero, HealthBound);
        Assert.InRange(images.WebStart.Answered, TimeSpan.Zero, HealthBound);
    }

    [ContainerFact]
    public async Task The_api_is_reachable_on_the_runs_network_and_from_no_other()
    {
        // The chart keeps the api internal (a ClusterIP Service, no ingress); here: published nowhere, on the run's
        // network alone. The same probe from a container on Docker's default network must fail, and from one on the
        // run's network succeed, so that the failure means something.
        var api = await images.ApiAsync();
        Assert.True(await ConnectsAsync(images.NetworkName, api), $"A container on {images.NetworkName} could not reach the api at {api}");
        Assert.False(await ConnectsAsync("bridge", api), $"A container on Docker's default network reached the api at {api}");
        NotejamImages.Report(output, $"network: the api ({api.Authority}) answers on the run's network ({images.Subnet}), not from Docker's default network");
    }

    [ContainerFact]
    public async Task A_docker_stop_of_the_api_under_load_loses_no_acknowledged_write()
    {
        // Four people through the web's published port (their addresses in X-Forwarded-For, believed from the run's
        // network), 30% writes: 15 s as they are, then the api gets docker stop (SIGTERM: it turns unready, serves its
        // Notejam:ShutdownDelay, finishes what it started, exits) and docker start, and the load goes on until it is
        // healthy again and 5 s more. While no api answers the site answers its 503 page: refused, never broken.
        using var load = await SiteLoad.StartAsync(images.Web, clients: 4, writeShare: 0.3);
        await Task.Delay(TimeSpan.FromSeconds(15));
        var stopping = load.Elapsed;
        var stop = Stopwatch.StartNew();
        await NotejamImages.DockerAsync("stop", "-t", "30", images.ApiContainer);
        stop.Stop();
        var exitCode = (await NotejamImages.DockerAsync("inspect", "-f", "{{.State.ExitCode}}", images.ApiContainer)).Trim();
        await NotejamImages.DockerAsync("start", images.ApiContainer);
        var back = await NotejamImages.HealthAfterStartAsync(images.ApiContainer, await images.ApiAsync());
        await Task.Delay(TimeSpan.FromSeconds(5));
        var result = await load.StopAsync();
        var writes = await result.CheckWritesAsync(images.NotesHere);

        output.WriteLine(result.Describe());
        Assert.Empty(result.Broken);
        Assert.All(result.Between(TimeSpan.Zero, stopping).Outcomes, o => Assert.True(o.Succeeded, $"before the stop: {o}"));
        Assert.True(writes.Acknowledged > 0, "No write was acknowledged");
        Assert.Equal(0, writes.Lost);
        Assert.Equal(0, writes.Duplicated);
        Assert.Equal("0", exitCode);
        foreach (var container in new[] { images.ApiContainer, images.WebContainer })
        {
            Assert.Equal("true false true", (await NotejamImages.DockerAsync("inspect", "-f",
                "{{.State.Running}} {{.State.OOMKilled}} {{.HostConfig.ReadonlyRootfs}}", container)).Trim());
        }

        NotejamImages.Report(output, $"docker stop: {result.Requests} requests of 4 people, the api stopped in {Seconds(stop.Elapsed)} under load (exit code {exitCode}) " +
            $"and answered Healthy {Seconds(back.Healthy)} after docker start; {result.CleanlyRefused} refused cleanly (503), none broken, {writes}");
    }

    [ContainerFact]
    public async Task Each_image_is_the_base_plus_at_most_60_MB()
    {
        var @base = await SizeAsync(images.Base);
        foreach (var image in new[] { images.ApiImage, images.WebImage })
        {
            var size = await SizeAsync(image);
            NotejamImages.Report(output, $"size: {image.Split(':')[0]} {size / 1_000_000} MB, the base {@base / 1_000_000} MB + {(size - @base) / 1_000_000} MB (the bound: + 60 MB; base {images.Base})");
            Assert.InRange(size - @base, 0, SizeBound);
        }
    }

    private async Task<bool> ConnectsAsync(string network, Uri api)
    {
        try
        {
            await NotejamImages.DockerAsync("run", "--rm", "--network", network, "--entrypoint", "bash", images.PostgresImage, "-c",
                $"timeout 3 bash -c 'exec 3<>/dev/tcp/{api.Host}/{api.Port}'");
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<long> SizeAsync(string image) =>
        long.Parse((await NotejamImages.DockerAsync("image", "inspect", "-f", "{{.Size}}", image)).Trim(), CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan time) => $"{time.TotalSeconds:F1} s";
}
