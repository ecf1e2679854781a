using System.Net.Http.Json;
using System.Text.Json;
using Notejam.DevTools.Postgres;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Containers;

/// <summary>
/// The tests' own PostgreSQL follows the AppHost's Auto rule: where a container engine answers (and no
/// NOTEJAM_TEST_POSTGRES is given) it is a throwaway container of the configured image, and the API works on it, so
/// a machine with the SDK and Docker alone runs `dotnet test` without installing PostgreSQL.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Containers)]
public sealed class TestPostgresRuleTests
{
    [ContainerFact]
    public async Task Where_an_engine_answers_the_tests_server_is_a_container_and_the_api_works_on_it()
    {
        var postgres = await TestPostgres.Shared;
        if (Environment.GetEnvironmentVariable("NOTEJAM_TEST_POSTGRES") is not { Length: > 0 })
        {
            Assert.Equal($"container {ContainerPostgres.ConfiguredImage()}", postgres.Source);
        }

        var api = new ApiFactory();
        await ((IAsyncLifetime)api).InitializeAsync();
        try
        {
            using var user = await ApiUser.CreateAsync(api);
            var pad = await user.CreatePadAsync("In a container");
            await user.CreateNoteAsync("Stored in a container", padId: pad.GetProperty("id").GetInt32());

            var notes = await user.Http.GetFromJsonAsync<JsonElement>("/notes");
            Assert.Equal("Stored in a container", notes.GetProperty("items")[0].GetProperty("name").GetString());
        }
        finally
        {
            await ((IAsyncLifetime)api).DisposeAsync();
        }
    }
}
