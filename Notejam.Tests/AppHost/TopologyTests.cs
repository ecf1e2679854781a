using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.AppHost;

[Trait(TestLayers.Name, TestLayers.AppHost)]
[Collection(AppHostTests.Name)]
public sealed class TopologyTests(AppHostFixture topology)
{
    [Theory]
    [InlineData("postgres")]
    [InlineData("notejam")]
    [InlineData("api")]
    [InlineData("web")]
    [InlineData("mail")]
    public async Task Every_resource_becomes_healthy(string resource)
    {
        var snapshot = await topology.SnapshotAsync(resource, s => s.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy);

        Assert.Equal(KnownResourceStates.Running, snapshot.State?.Text);
    }

    [Fact]
    public async Task Migrations_run_once_and_complete_before_the_api_starts()
    {
        var migrations = await topology.SnapshotAsync("migrations", s => KnownResourceStates.TerminalStates.Contains(s.State?.Text));

        Assert.Equal(KnownResourceStates.Finished, migrations.State?.Text);
        Assert.Equal(0, migrations.ExitCode);
    }

    [Fact]
    public async Task Migrations_start_from_the_apis_built_assembly_not_through_dotnet_run()
    {
        // Aspire starts a project resource as `dotnet run --project … --no-build` (DcpExecutor.PrepareProjectExecutables
        // in dotnet/aspire), which evaluates the project first: 1.5 s on the path every start waits behind.
        var model = topology.App.Services.GetRequiredService<DistributedApplicationModel>();
        var migrations = Assert.IsType<ExecutableResource>(model.Resources.Single(r => r.Name == "migrations"));
        var configuration = await ExecutionConfigurationBuilder.Create(migrations)
            .WithArgumentsConfig()
            .BuildAsync(topology.App.Services.GetRequiredService<DistributedApplicationExecutionContext>());
        var arguments = configuration.Arguments.Select(argument => argument.Value).ToArray();

        Assert.Equal("dotnet", migrations.Command);
        Assert.Equal("migrate", arguments[^1]);
        Assert.Equal("Notejam.Api.dll", Path.GetFileName(arguments[0]));
        Assert.True(File.Exists(arguments[0]), $"{arguments[0]} is not there.");
        Assert.Equal(Path.GetDirectoryName(arguments[0]), migrations.WorkingDirectory);
    }

    [Fact]
    public async Task The_site_keeps_notes_through_the_api_it_finds_by_service_discovery()
    {
        using var web = topology.App.CreateHttpClient("web");
        using var user = await SiteUser.SignUpAndInAsync(new SiteBrowser(web.BaseAddress!));

        var note = await user.CreateNoteAsync("Through the AppHost", "Hello");

        Assert.Equal("Note is successfully created", note.Flash);
        Assert.Equal("All notes (1)", (await user.Browser.GetAsync("/")).Title);
    }

    [Fact]
    public async Task The_api_keeps_notes_in_the_database_the_apphost_provides()
    {
        using var api = topology.App.CreateHttpClient("api");
        var email = ApiUser.NewEmail();
        (await api.PostAsJsonAsync("/users/register", new { email, password = "long enough", repeatPassword = "long enough" })).EnsureSuccessStatusCode();
        var tokens = await ApiUser.SignInAsync(api, email, "long enough");
        api.DefaultRequestHeaders.Authorization = new("Bearer", tokens.GetProperty("accessToken").GetString());

        await (await api.PostAsJsonAsync("/notes", new { name = "Through the AppHost", text = "Hello" })).JsonAsync(HttpStatusCode.Created);

        var notes = await (await api.GetAsync(new Uri("/notes", UriKind.Relative))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("Through the AppHost", notes.GetProperty("items")[0].GetProperty("name").GetString());
    }
}
