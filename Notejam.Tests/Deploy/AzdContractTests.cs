using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Notejam.Tests.AppHost;
using Notejam.Tests.Infrastructure;

namespace Notejam.Tests.Deploy;

/// <summary>
/// `azd up` held against azd's own source (Azure/azure-dev, cli/azd/...), since azd cannot reach Azure from here. Each
/// test is named after the azd file whose rule it checks; what still needs a subscription is listed in docs/deploy.md.
/// </summary>
[Trait(TestLayers.Name, TestLayers.Deploy)]
public sealed partial class AzdContractTests
{
    // What azd's environment holds besides the provision's outputs: the values `azd env new` and `azd provision` set
    // (cli/azd/pkg/environment/environment.go: AZURE_ENV_NAME, AZURE_LOCATION, AZURE_SUBSCRIPTION_ID).
    private static readonly string[] AzdOwnValues = ["AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_SUBSCRIPTION_ID"];

    private const string Registry = "crabc123.azurecr.io";
    private const string IdentityId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-notejam-dev/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-abc123";

    [Fact]
    public void importer_go__azure_yaml_names_the_AppHost_as_its_one_containerapp_service_and_infra_main_bicep_is_provisioned()
    {
        // ServiceStable: an AppHost service must be the project's only service and have host containerapp;
        // ProjectInfrastructure: an existing infra/main.bicep wins over infrastructure generated from the manifest.
        var azureYaml = AzdTemplate.ToJson(Repository.Read("azure.yaml"));
        var services = azureYaml["services"]!.AsObject();

        var (_, service) = Assert.Single(services);
        Assert.Equal("dotnet", service!["language"]!.GetValue<string>());
        Assert.Equal("containerapp", service["host"]!.GetValue<string>());
        Assert.Equal("Notejam.AppHost/Notejam.AppHost.csproj", Path.GetRelativePath(Repository.Root,
            Path.GetFullPath(Path.Combine(Repository.Root, service["project"]!.GetValue<string>()))));
        Assert.True(File.Exists(Path.Combine(Repository.Root, "infra", "main.bicep")));
        Assert.Null(azureYaml["infra"]);
    }

    [Fact]
    public async Task dotnet_importer_go__every_service_azd_finds_in_the_manifest_has_its_checked_in_template_and_no_other()
    {
        // Services: project.v0, container.v0, container.v1 and dockerfile.v0 resources each become a service deployed
        // from <AppHost dir>/infra/<name>.tmpl.yaml (GenerateAllInfrastructure writes them there).
        foreach (var manifest in new[]
                 {
                     await ManifestTests.PublishAsync(),
                     await ManifestTests.PublishAsync($"--Notejam:Images:api={Registry}/notejam-api:sha-1", $"--Notejam:Images:web={Registry}/notejam-web:sha-1"),
                 })
        {
            var services = manifest.GetProperty("resources").EnumerateObject()
                .Where(r => r.Value.GetProperty("type").GetString() is "project.v0" or "project.v1" or "container.v0" or "container.v1" or "dockerfile.v0")
                .Select(r => r.Name).Order().ToList();
            var templates = Directory.EnumerateFiles(Path.Combine(Repository.Root, "Notejam.AppHost", "infra"), "*.tmpl.*")
                .Select(f => Path.GetFileName(f).Split('.')[0]).Order().ToList();

            Assert.Equal(["api", "web"], services);
            Assert.Equal(services, templates);
        }
    }

    [Theory]
    [InlineData("api")]
    [InlineData("web")]
    public async Task service_target_dotnet_containerapp_go__every_template_action_resolves_from_the_provision_outputs(string service)
    {
        var template = Repository.Read("Notejam.AppHost", "infra", $"{service}.tmpl.yaml");
        var outputs = (await BicepCli.MainTemplate.Value)["outputs"]!.AsObject().Select(o => o.Key).ToHashSet();

        // The functions azd offers (parameter, securedParameter, secretOutput) read values azd asks for or takes from
        // a vault URI output; none is used, so nothing is left for an operator to type or for azd to miss.
        foreach (var action in AzdTemplate.Actions(template))
        {
            Assert.DoesNotMatch(@"\b(parameter|parameterWithDefault|securedParameter|secretOutput)\b", action);
        }

        foreach (var name in AzdTemplate.EnvNames(template))
        {
            Assert.True(outputs.Contains(name) || AzdOwnValues.Contains(name),
                $"{service}.tmpl.yaml reads .Env.{name}, which infra/main.bicep does not output and azd does not set: the deploy would fail (missingkey=error).");
        }

        // And the render itself, with exactly those values, succeeds.
        var app = Render(service, Environment(outputs, smtp: true), $"{Registry}/notejam/{service}-notejam-dev:azd-deploy-1");
        Assert.Equal(service, app["tags"]!["azd-service-name"]!.GetValue<string>());
        Assert.Equal(service, app["tags"]!["aspire-resource-name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("api", false)]
    [InlineData("api", true)]
    [InlineData("web", false)]
    [InlineData("web", true)]
    public async Task container_app_go__the_rendered_template_is_a_container_app_by_Azure_s_own_resource_types(string service, bool everySetting)
    {
        // DeployYaml sends the YAML, less api-version, as the body of a PUT of Microsoft.App/containerApps at that version.
        // The Bicep CLI knows that type: an unknown property, a wrong type or an invalid value is its warning or error.
        var outputs = (await BicepCli.MainTemplate.Value)["outputs"]!.AsObject().Select(o => o.Key);
        var app = Render(service, Environment(outputs, everySetting), $"{Registry}/notejam-{service}:sha-0123456789ab");

        var folder = Directory.CreateTempSubdirectory("notejam-containerapp-");
        try
        {
            // The compiler's type checks only; the linter's style rules are for infra/ (infra/check.sh).
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "bicepconfig.json"), """{ "analyzers": { "core": { "enabled": false } } }""");
            var file = Path.Combine(folder.FullName, $"{service}.bicep");
            await File.WriteAllTextAsync(file, AzdTemplate.ToBicepResource(app, service));

            var (compiled, diagnostics) = await BicepCli.BuildAsync(file);

            Assert.True(compiled is not null && diagnostics.Length == 0,
                $"{service}.tmpl.yaml, rendered, is not a valid Microsoft.App/containerApps:\n{string.Join('\n', diagnostics)}\n\n{await File.ReadAllTextAsync(file)}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("api")]
    [InlineData("web")]
    public async Task service_target_dotnet_containerapp_go__secrets_come_from_Key_Vault_through_the_identity_never_as_values(string service)
    {
        var outputs = (await BicepCli.MainTemplate.Value)["outputs"]!.AsObject().Select(o => o.Key);
        var app = Render(service, Environment(outputs, smtp: true), $"{Registry}/notejam-{service}:sha-1");
        var configuration = app["properties"]!["configuration"]!;

        var secrets = configuration["secrets"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.NotEmpty(secrets);
        foreach (var secret in secrets)
        {
            Assert.False(secret.ContainsKey("value"), $"Secret {secret["name"]} holds a value in the container app instead of a Key Vault reference.");
            Assert.StartsWith("https://kv-abc123.vault.azure.net/secrets/", secret["keyVaultUrl"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(IdentityId, secret["identity"]!.GetValue<string>());
        }

        var containers = Containers(app).ToList();
        var names = secrets.Select(s => s["name"]!.GetValue<string>()).ToHashSet();
        foreach (var variable in containers.SelectMany(c => c["env"]!.AsArray()).Select(e => e!.AsObject()))
        {
            var name = variable["name"]!.GetValue<string>();
            if (variable["secretRef"] is { } secretRef)
            {
                Assert.Contains(secretRef.GetValue<string>(), names);
            }
            else
            {
                Assert.DoesNotMatch("(?i)password|secret|keyencryptionkey|connectionstrings", name);
                Assert.DoesNotContain("Password=", variable["value"]?.ToString() ?? "", StringComparison.OrdinalIgnoreCase);
            }

            // ASP.NET Core's own switch would believe X-Forwarded-For from anyone (it clears the known networks):
            // the apps read forwarded headers themselves, from Notejam__TrustedProxyNetworks only.
            Assert.NotEqual("ASPNETCORE_FORWARDEDHEADERS_ENABLED", name);
        }

        foreach (var container in containers)
        {
            Assert.Contains(container["env"]!.AsArray(), e => e!["name"]!.GetValue<string>() == "ConnectionStrings__notejam" && e["secretRef"] is not null);
        }

        Assert.Contains(Env(app, "DataProtection__KeyEncryptionKey"), e => e["secretRef"] is not null);
        if (service == "api")
        {
            Assert.Contains(Env(app, "Smtp__Password"), e => e["secretRef"]!.GetValue<string>() == "smtp-password");
        }
    }

    [Fact]
    public async Task service_target_dotnet_containerapp_go__without_an_SMTP_password_the_api_references_no_such_secret()
    {
        var outputs = (await BicepCli.MainTemplate.Value)["outputs"]!.AsObject().Select(o => o.Key);
        var app = Render("api", Environment(outputs, smtp: false), $"{Registry}/notejam-api:sha-1");

        Assert.DoesNotContain(app["properties"]!["configuration"]!["secrets"]!.AsArray(), s => s!["name"]!.GetValue<string>() == "smtp-password");
        Assert.Empty(Env(app, "Smtp__Password"));
        Assert.Empty(Env(app, "Smtp__Host"));
        Assert.Empty(Env(app, "OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    [Fact]
    public async Task service_target_dotnet_containerapp_go__the_api_migrates_with_its_own_image_before_it_serves()
    {
        var outputs = (await BicepCli.MainTemplate.Value)["outputs"]!.AsObject().Select(o => o.Key);
        var image = $"{Registry}/notejam-api:sha-0123456789ab";
        var app = Render("api", Environment(outputs, smtp: false), image);
        var template = app["properties"]!["template"]!;

        var migrations = Assert.Single(template["initContainers"]!.AsArray())!;
        Assert.Equal(image, migrations["image"]!.GetValue<string>());
        Assert.Equal(["migrate"], migrations["args"]!.AsArray().Select(a => a!.GetValue<string>()));
        var api = Assert.Single(template["containers"]!.AsArray())!;
        Assert.Equal(image, api["image"]!.GetValue<string>());
        Assert.Null(api["args"]);

        // Container Apps sends a revision traffic only when it is ready; readiness is /health, which needs the database.
        var probes = api["probes"]!.AsArray().ToDictionary(p => p!["type"]!.GetValue<string>(), p => p!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["Startup"] = "/alive", ["Liveness"] = "/alive", ["Readiness"] = "/health" }, probes);
        Assert.Equal("Single", app["properties"]!["configuration"]!["activeRevisionsMode"]!.GetValue<string>());

        var web = Render("web", Environment(outputs, smtp: false), $"{Registry}/notejam-web:sha-0123456789ab");
        Assert.Null(web["properties"]!["template"]!["initContainers"]);
    }

    [Theory]
    [InlineData("api", false, "NOTEJAM_API_MIN_REPLICAS", "NOTEJAM_API_MAX_REPLICAS")]
    [InlineData("web", true, "NOTEJAM_WEB_MIN_REPLICAS", "NOTEJAM_WEB_MAX_REPLICAS")]
    public async Task service_target_dotnet_containerapp_go__ingress_scale_and_registry_are_the_ones_infra_provisions(
        string service, bool external, string minReplicas, string maxReplicas)
    {
        var outputs = (await BicepCli.MainTemplate.Value)["outputs"]!.AsObject().Select(o => o.Key);
        var environment = Environment(outputs, smtp: false);
        // An image azd built (containerHelper: <registry>/<project>/<service>-<env>:azd-deploy-<time>) and one a delivery
        // imported into the environment's registry: both come from AZURE_CONTAINER_REGISTRY_ENDPOINT, the registry listed.
        foreach (var image in new[] { $"{Registry}/notejam/{service}-notejam-dev:azd-deploy-1764640000", $"{Registry}/notejam-{service}:sha-0123456789ab" })
        {
            var app = Render(service, environment, image);
            var configuration = app["properties"]!["configuration"]!;

            var registry = Assert.Single(configuration["registries"]!.AsArray())!;
            Assert.Equal(image.Split('/')[0], registry["server"]!.GetValue<string>());
            Assert.Equal(IdentityId, registry["identity"]!.GetValue<string>());
            Assert.Equal(external, configuration["ingress"]!["external"]!.GetValue<bool>());
            Assert.Equal(8080, configuration["ingress"]!["targetPort"]!.GetValue<long>());
            var scale = app["properties"]!["template"]!["scale"]!;
            Assert.Equal(long.Parse(environment[minReplicas], System.Globalization.CultureInfo.InvariantCulture), scale["minReplicas"]!.GetValue<long>());
            Assert.Equal(long.Parse(environment[maxReplicas], System.Globalization.CultureInfo.InvariantCulture), scale["maxReplicas"]!.GetValue<long>());
            Assert.Equal(environment["NOTEJAM_HTTP_CONCURRENT_REQUESTS"],
                scale["rules"]![0]!["http"]!["metadata"]!["concurrentRequests"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task manager_go__azd_provision_declares_no_app_so_a_provision_after_a_deploy_changes_nothing_that_runs()
    {
        // The apps belong to azd deploy (the templates); were they also in main.bicep, every provision would put its
        // own image, probes and settings back (the Aspire target records no SERVICE_*_IMAGE_NAME to feed it).
        var template = (await BicepCli.MainTemplate.Value).ToJsonString();

        Assert.DoesNotContain("Microsoft.App/containerApps'", template.Replace("\"", "'", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.App/jobs", template, StringComparison.Ordinal);
        Assert.DoesNotContain("SERVICE_", Repository.Read("infra", "main.parameters.json"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task secretOrRandomPassword_go__every_generated_secret_is_read_back_from_the_vault_the_provision_names()
    {
        // $(secretOrRandomPassword <vault> <secret>) reads the secret when the vault and secret exist, and generates a new
        // value otherwise, including when the vault name is empty. So the vault must be an output (restored by
        // `azd env refresh` on a fresh machine) and each secret must be one that infra writes from that very parameter.
        var parameters = JsonNode.Parse(Repository.Read("infra", "main.parameters.json"))!["parameters"]!.AsObject();
        var outputs = (await BicepCli.MainTemplate.Value)["outputs"]!.AsObject();
        var keyVault = Repository.Read("infra", "modules", "keyvault.bicep");
        var main = Repository.Read("infra", "main.bicep");

        var generated = parameters.Select(p => (p.Key, Match: SecretOrRandomPassword().Match(p.Value!["value"]!.GetValue<string>())))
            .Where(p => p.Match.Success).ToList();
        Assert.Equal(["apiKeyEncryptionKey", "postgresAdminPassword", "webKeyEncryptionKey"], generated.Select(g => g.Key).Order());
        foreach (var (parameter, match) in generated)
        {
            Assert.Equal("AZURE_KEY_VAULT_NAME", match.Groups["vault"].Value);
            Assert.True(outputs.ContainsKey("AZURE_KEY_VAULT_NAME"));
            var secret = match.Groups["secret"].Value;
            Assert.Matches($@"name: '{Regex.Escape(secret)}'\s+properties: \{{\s+value: \w+", keyVault);
            Assert.Contains($"{parameter}: {parameter}", main, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<JsonObject> Containers(JsonObject app) =>
        app["properties"]!["template"]!["containers"]!.AsArray()
            .Concat(app["properties"]!["template"]!["initContainers"]?.AsArray() ?? [])
            .Select(c => c!.AsObject());

    private static List<JsonObject> Env(JsonObject app, string name) =>
        Containers(app).SelectMany(c => c["env"]!.AsArray()).Select(e => e!.AsObject())
            .Where(e => e["name"]!.GetValue<string>() == name).ToList();

    private static JsonObject Render(string service, Dictionary<string, string> environment, string image) =>
        AzdTemplate.ToJson(AzdTemplate.Render(Repository.Read("Notejam.AppHost", "infra", $"{service}.tmpl.yaml"), environment, image, port: 8080));

    /// <summary>
    /// An azd environment after a provision: each output of main.bicep (written by UpdateEnvironment as a string, also when
    /// empty) with a value of its shape, and azd's own values. <paramref name="smtp"/>: every optional setting set, or none.
    /// </summary>
    private static Dictionary<string, string> Environment(IEnumerable<string> outputs, bool smtp)
    {
        var environment = new Dictionary<string, string>
        {
            ["AZURE_ENV_NAME"] = "notejam-dev",
            ["AZURE_LOCATION"] = "westeurope",
            ["AZURE_SUBSCRIPTION_ID"] = "00000000-0000-0000-0000-000000000000",
        };
        foreach (var output in outputs)
        {
            environment[output] = output switch
            {
                "AZURE_CONTAINER_REGISTRY_ENDPOINT" => Registry,
                "AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID" => IdentityId,
                "AZURE_CONTAINER_APPS_ENVIRONMENT_ID" => "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-notejam-dev/providers/Microsoft.App/managedEnvironments/cae-abc123",
                "AZURE_CONTAINER_APPS_ENVIRONMENT_DEFAULT_DOMAIN" => "proudsea-12345678.westeurope.azurecontainerapps.io",
                "MANAGED_IDENTITY_CLIENT_ID" => "11111111-1111-1111-1111-111111111111",
                "NOTEJAM_SMTP_CREDENTIAL_KV_URL" => smtp ? "https://kv-abc123.vault.azure.net/secrets/smtp-password" : "",
                _ when output.EndsWith("_KV_URL", StringComparison.Ordinal) =>
                    $"https://kv-abc123.vault.azure.net/secrets/{output.ToLowerInvariant().Replace('_', '-')}",
                _ when output.EndsWith("_REPLICAS", StringComparison.Ordinal) => output.Contains("MIN", StringComparison.Ordinal) ? "1" : "3",
                "NOTEJAM_HTTP_CONCURRENT_REQUESTS" => "50",
                "NOTEJAM_TRUSTED_PROXY_NETWORKS" => "10.0.0.0/8,172.16.0.0/12",
                "NOTEJAM_SMTP_PORT" => "587",
                "NOTEJAM_SMTP_USE_TLS" => "true",
                "NOTEJAM_SMTP_HOST" => smtp ? "smtp.example.com" : "",
                "NOTEJAM_SMTP_USERNAME" => smtp ? "notejam" : "",
                "NOTEJAM_SMTP_FROM" => smtp ? "Notejam <no-reply@example.com>" : "",
                "NOTEJAM_OTLP_ENDPOINT" => smtp ? "https://otel.example.com:4317" : "",
                _ => $"value-of-{output}",
            };
        }

        return environment;
    }

    [GeneratedRegex(@"^\$\(secretOrRandomPassword \$\{(?<vault>[A-Z_]+)\} (?<secret>[A-Za-z0-9-]+)\)$")]
    private static partial Regex SecretOrRandomPassword();
}
