using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Notejam.Tests.ApiClient.Generated;
using Notejam.Tests.ApiClient.Generated.Models;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Api;

/// <summary>
/// The typed client Kiota generates from the api's OpenAPI document (Notejam.Tests/ApiClient): generated from the document
/// the api serves today, and enough to use the api with nothing but its types.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class ApiClientTests(ApiFactory api, ITestOutputHelper output)
{
    /// <summary>Set to 1 to rewrite ApiClient/openapi.json from the api and regenerate the client from it (README, "The API").</summary>
    public const string UpdateVariable = "NOTEJAM_UPDATE_API_CLIENT";

    [Fact]
    public async Task The_client_is_generated_from_the_document_the_api_serves()
    {
        using var anonymous = api.CreateClient();
        var served = await anonymous.GetStringAsync("/openapi/v1.json");
        var folder = Path.Combine(ManifestTests.RepositoryRoot(), "Notejam.Tests", "ApiClient");
        var checkedIn = Path.Combine(folder, "openapi.json");

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(checkedIn, served);
            await RegenerateAsync();
        }

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(served), JsonNode.Parse(await File.ReadAllTextAsync(checkedIn))),
            $"Notejam.Tests/ApiClient/openapi.json is not the document the api serves: the api's contract changed. Regenerate the " +
            $"client ({UpdateVariable}=1 dotnet test Notejam.Tests --filter FullyQualifiedName~{nameof(ApiClientTests)}), then build " +
            "and run the tests again.");
    }

    [Fact]
    public async Task A_person_signs_up_writes_and_reads_back_through_the_generated_client()
    {
        using var http = api.CreateClient();
        var email = ApiUser.NewEmail();
        var client = await SignUpAsync(http, email);

        var me = await client.Users.Me.GetAsync();
        var pad = await client.Pads.PostAsync(new CreatePadRequest { Name = "Groceries" });
        var note = await client.Notes.PostAsync(new CreateNoteRequest { Name = "Saturday", Text = "Apples, *pears*", PadId = pad!.Id });
        var pads = await client.Pads.GetAsync();
        var inPad = await client.Notes.GetAsync(request =>
        {
            request.QueryParameters.PadId = pad.Id;
            request.QueryParameters.Order = "name";
        });
        var read = await client.Notes[note!.Id!.Value].GetAsync();

        Assert.Equal(email, me!.Email);
        var listed = Assert.Single(pads!);
        Assert.Equal(pad.Id, listed.Id);
        Assert.Equal("Groceries", listed.Name);
        Assert.Equal(1, listed.NoteCount);
        Assert.Equal(1, inPad!.TotalCount);
        Assert.Equal(note.Id, Assert.Single(inPad.Items!).Id);
        Assert.Equal("Saturday", read!.Name);
        Assert.Equal("Apples, *pears*", read.Text);
        Assert.Equal(pad.Id, read.Pad!.Id);
        Assert.Equal("Groceries", read.Pad.Name);
        Assert.Equal(note.Version, read.Version);
    }

    [Fact]
    public async Task Another_persons_note_is_the_clients_typed_404()
    {
        using var http = api.CreateClient();
        var owner = await SignUpAsync(http, ApiUser.NewEmail());
        var stranger = await SignUpAsync(http, ApiUser.NewEmail());
        var note = await owner.Notes.PostAsync(new CreateNoteRequest { Name = "Mine", Text = "Not yours" });

        var error = await Assert.ThrowsAsync<ProblemDetails>(() => stranger.Notes[note!.Id!.Value].GetAsync());
        var anonymousError = await Assert.ThrowsAsync<ProblemDetails>(() => Client(http, accessToken: null).Notes[note!.Id!.Value].GetAsync());

        Assert.Equal(404, error.ResponseStatusCode);
        Assert.Equal(404, error.Status);
        Assert.Equal("No such note.", error.Title);
        Assert.Equal(401, anonymousError.ResponseStatusCode);
    }

    /// <summary>Registers and signs in through the client; answers a client that sends the access token.</summary>
    private static async Task<NotejamApiClient> SignUpAsync(HttpClient http, string email)
    {
        var anonymous = Client(http, accessToken: null);
        await anonymous.Users.Register.PostAsync(
            new RegisterRequest { Email = email, Password = ApiUser.DefaultPassword, RepeatPassword = ApiUser.DefaultPassword });
        var tokens = await anonymous.Users.Signin.PostAsync(new SignInRequest { Email = email, Password = ApiUser.DefaultPassword });
        Assert.Equal("Bearer", tokens!.TokenType);
        return Client(http, tokens.AccessToken);
    }

    private static NotejamApiClient Client(HttpClient http, string? accessToken)
    {
        IAuthenticationProvider authentication = accessToken is null
            ? new AnonymousAuthenticationProvider()
            : new BaseBearerTokenAuthenticationProvider(new FixedAccessToken(accessToken));
        // The document names no server (it is served by the api it describes), so the address is the test api's.
        return new NotejamApiClient(new HttpClientRequestAdapter(authentication, httpClient: http)
        {
            BaseUrl = http.BaseAddress!.GetLeftPart(UriPartial.Authority),
        });
    }

    private sealed class FixedAccessToken(string token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new();

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
            CancellationToken cancellationToken = default) => Task.FromResult(token);
    }

    /// <summary>The local tool's Kiota, with the settings the client was first generated with (its kiota-lock.json keeps them).</summary>
    private async Task RegenerateAsync()
    {
        var start = new ProcessStartInfo("dotnet",
        [
            "kiota", "generate", "--language", "CSharp", "--openapi", "Notejam.Tests/ApiClient/openapi.json",
            "--output", "Notejam.Tests/ApiClient/Generated", "--namespace-name", "Notejam.Tests.ApiClient.Generated",
            "--class-name", "NotejamApiClient", "--exclude-backward-compatible", "--clean-output",
        ])
        {
            WorkingDirectory = ManifestTests.RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var kiota = Process.Start(start)!;
        var stdout = kiota.StandardOutput.ReadToEndAsync();
        var stderr = kiota.StandardError.ReadToEndAsync();
        await kiota.WaitForExitAsync();
        output.WriteLine(await stdout);
        Assert.True(kiota.ExitCode == 0, $"kiota generate failed (dotnet tool restore first?):\n{await stderr}\n{await stdout}");
    }
}
