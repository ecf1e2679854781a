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
    private const string WebIdentityId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-notejam-dev/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-web-abc123";

    // Built-in role definitions (the same ids in every Azure cloud), as infra/modules/*.bicep name them.
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";

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
            Assert.Equal(IdentityOf(service), secret["identity"]!.GetValue<string>());
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

        // The notes database's connection string goes to the api and its migrations only; the web's own database's to the
        // web and the migrations (which make that role and database), never to the api's own container.
        var connectionStrings = containers.ToDictionary(c => c["name"]!.GetValue<string>(), c => c["env"]!.AsArray()
            .Select(e => e!.AsObject()).Where(e => e["name"]!.GetValue<string>().StartsWith("ConnectionStrings__", StringComparison.Ordinal))
            .Select(e => (Name: e["name"]!.GetValue<string>(), FromSecret: e["secretRef"] is not null)).Order().ToList());
        var expected = service == "web"
            ? new Dictionary<string, List<(string, bool)>> { ["web"] = [("ConnectionStrings__webkeyring", true)] }
            : new Dictionary<string, List<(string, bool)>>
            {
                ["api"] = [("ConnectionStrings__notejam", true)],
                ["migrations"] = [("ConnectionStrings__notejam", true), ("ConnectionStrings__webkeyring", true)],
            };
        Assert.Equal(expected, connectionStrings);
        if (service == "web")
        {
            Assert.DoesNotContain(secrets, s => s["keyVaultUrl"]!.GetValue<string>().Contains("notejam-connection-string", StringComparison.Ordinal));
        }

        Assert.Contains(Env(app, "DataProtection__KeyEncryptionKey"), e => e["secretRef"] is not null);
        if (service == "api")
        {
            Assert.Contains(Env(app, "Smtp__Password"), e => e["secretRef"]!.GetValue<string>() == "smtp-password");
        }
    }

    [Fact]
    public async Task service_target_dotnet_containerapp_go__the_web_runs_as_an_identity_of_its_own_never_as_the_api_s()
    {
        // The identity the web runs as is the one code in the web can ask the identity endpoint for a token of: were it
        // the api's, that code could read every secret the api may, the notes database's connection string among them.
        var main = await BicepCli.MainTemplate.Value;
        var outputs = main["outputs"]!.AsObject();
        var environment = Environment(outputs.Select(o => o.Key), smtp: true);

        foreach (var (service, identity) in new[] { ("api", IdentityId), ("web", WebIdentityId) })
        {
            var app = Render(service, environment, $"{Registry}/notejam-{service}:sha-1");
            var configuration = app["properties"]!["configuration"]!;

            // Its only identity, and the one its image pull and every Key Vault reference use.
            Assert.Equal("UserAssigned", app["identity"]!["type"]!.GetValue<string>());
            Assert.Equal([identity], app["identity"]!["userAssignedIdentities"]!.AsObject().Select(i => i.Key));
            Assert.All(configuration["registries"]!.AsArray(), r => Assert.Equal(identity, r!["identity"]!.GetValue<string>()));
            Assert.All(configuration["secrets"]!.AsArray(), s => Assert.Equal(identity, s!["identity"]!.GetValue<string>()));
        }

        // The web's code uses no Azure SDK: its environment names no client id, least of all the api's.
        var web = Render("web", environment, $"{Registry}/notejam-web:sha-1");
        Assert.Empty(Env(web, "AZURE_CLIENT_ID"));
        Assert.DoesNotContain(Containers(web).SelectMany(c => c["env"]!.AsArray()),
            e => e!["value"]?.ToString() == environment["MANAGED_IDENTITY_CLIENT_ID"]);

        // And in Azure they are two identities: the outputs of two modules, each declaring a user-assigned identity, under
        // names of their own.
        var apiModule = IdentityModule(main, "AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID");
        var webModule = IdentityModule(main, "NOTEJAM_WEB_IDENTITY_ID");
        Assert.NotEqual(apiModule, webModule);
        Assert.Equal(webModule, IdentityModule(main, "NOTEJAM_WEB_IDENTITY_CLIENT_ID"));
        var names = new[] { apiModule, webModule }.Select(module =>
        {
            var deployment = main["resources"]![module]!;
            Assert.Contains(Resources(deployment["properties"]!["template"]!.AsObject()),
                r => r["type"]!.GetValue<string>() == "Microsoft.ManagedIdentity/userAssignedIdentities");
            var name = deployment["properties"]!["parameters"]!["name"]!["value"]!.GetValue<string>();
            return VariableReference().Match(name) is { Success: true } variable
                ? main["variables"]![variable.Groups["name"].Value]!.GetValue<string>()
                : name;
        }).ToList();
        Assert.NotEqual(names[0], names[1]);
    }

    [Fact]
    public async Task manager_go__the_provision_lets_the_web_s_identity_read_its_own_two_secrets_and_pull_images_nothing_else()
    {
        // What the provision grants each identity: every role assignment of the compiled main.bicep, its modules
        // included, whose principal is that identity's.
        var main = await BicepCli.MainTemplate.Value;
        var webModule = IdentityModule(main, "NOTEJAM_WEB_IDENTITY_ID");
        var apiModule = IdentityModule(main, "AZURE_CONTAINER_REGISTRY_MANAGED_IDENTITY_ID");

        // The vault authorises by Azure RBAC alone: no access policy can give anyone more than the assignments below.
        var vault = Assert.Single(Resources(main).Where(r => r["type"]!.GetValue<string>() == "Microsoft.Resources/deployments")
            .SelectMany(d => Resources(d["properties"]!["template"]!.AsObject())),
            r => r["type"]!.GetValue<string>() == "Microsoft.KeyVault/vaults");
        Assert.True(vault["properties"]!["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.Null(vault["properties"]!["accessPolicies"]);

        // The secrets the web's template reads: each Key Vault URL output it names, traced to the secret resource.
        var template = Repository.Read("Notejam.AppHost", "infra", "web.tmpl.yaml");
        var readsFromTemplate = AzdTemplate.EnvNames(template).Where(n => n.EndsWith("_KV_URL", StringComparison.Ordinal))
            .Select(n => SecretOutput(main, n)).ToHashSet();
        Assert.Equal(["web-key-encryption-key", "web-keyring-connection-string"],
            readsFromTemplate.Select(s => SecretName().Match(s.Scope).Groups["name"].Value).Order());

        var grants = RoleAssignmentsOf(main, webModule);

        // Key Vault Secrets User on exactly those secrets, each assigned on the secret, never on the vault (nor, without a
        // scope, on the resource group: every vault in it).
        var reads = grants.Where(g => g.Role == KeyVaultSecretsUser).ToList();
        Assert.All(reads, g => Assert.True(SecretScope().Match(g.Scope).Value == g.Scope,
            $"The web's identity is Key Vault Secrets User on {(g.Scope.Length > 0 ? g.Scope : "its module's resource group")}, not on one secret."));
        Assert.Equal(readsFromTemplate, reads.ToHashSet());

        // AcrPull on the registry, to pull the web's image; nothing else.
        var pull = Assert.Single(grants, g => g.Role != KeyVaultSecretsUser);
        Assert.Equal(AcrPull, pull.Role);
        Assert.StartsWith("resourceId('Microsoft.ContainerRegistry/registries', ", pull.Scope, StringComparison.Ordinal);

        // The api's identity keeps the vault: its migrations read the notes database's string and the web's.
        Assert.Contains(RoleAssignmentsOf(main, apiModule),
            g => g.Role == KeyVaultSecretsUser && g.Scope.StartsWith("resourceId('Microsoft.KeyVault/vaults', ", StringComparison.Ordinal));
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
            Assert.Equal(IdentityOf(service), registry["identity"]!.GetValue<string>());
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
        Assert.Equal(["apiKeyEncryptionKey", "postgresAdminPassword", "webKeyEncryptionKey", "webKeyRingPassword"], generated.Select(g => g.Key).Order());
        foreach (var (parameter, match) in generated)
        {
            Assert.Equal("AZURE_KEY_VAULT_NAME", match.Groups["vault"].Value);
            Assert.True(outputs.ContainsKey("AZURE_KEY_VAULT_NAME"));
            var secret = match.Groups["secret"].Value;
            Assert.Matches($@"name: '{Regex.Escape(secret)}'\s+properties: \{{\s+value: \w+", keyVault);
            Assert.Contains($"{parameter}: {parameter}", main, StringComparison.Ordinal);
        }
    }

    private static string IdentityOf(string service) => service == "web" ? WebIdentityId : IdentityId;

    /// <summary>The resources of a compiled template: an object by symbolic name (languageVersion 2.0) or an array.</summary>
    private static IEnumerable<JsonObject> Resources(JsonObject template) => template["resources"] switch
    {
        JsonObject symbolic => symbolic.Select(r => r.Value!.AsObject()),
        JsonArray list => list.Select(r => r!.AsObject()),
        _ => [],
    };

    /// <summary>The module (its symbolic name in the compiled main.bicep) whose identity an output of main.bicep is.</summary>
    private static string IdentityModule(JsonObject main, string output)
    {
        var value = main["outputs"]![output]!["value"]!.GetValue<string>();
        var match = ModuleOutput().Match(value);
        Assert.True(match.Success, $"Output {output} is {value}, not a module's output.");
        return match.Groups["module"].Value;
    }

    /// <summary>
    /// Every role assignment the compiled main.bicep makes, its modules included, to the principal of the identity that
    /// module <paramref name="identityModule"/> declares: the built-in role's id, the scope as an ARM expression without
    /// its brackets (empty: the deployment's own scope), and the module whose expression it is.
    /// </summary>
    private static HashSet<(string Role, string Scope, string Module)> RoleAssignmentsOf(JsonObject main, string identityModule)
    {
        var principal = $"[reference('{identityModule}').outputs.principalId.value]";
        var grants = new HashSet<(string, string, string)>();
        foreach (var (name, resource) in main["resources"]!.AsObject().Select(r => (r.Key, r.Value!.AsObject())))
        {
            switch (resource["type"]!.GetValue<string>())
            {
                case "Microsoft.Authorization/roleAssignments" when resource["properties"]!["principalId"]!.GetValue<string>() == principal:
                    grants.Add(Grant(main, resource, ""));
                    break;
                case "Microsoft.Resources/deployments":
                    // So that every assignment in a module is traced to its principal: the principal reaches the module only
                    // as a whole parameter, each assignment there names its principal by a parameter, and the module
                    // nests no deployment of its own.
                    var parameters = resource["properties"]!["parameters"]!.AsObject();
                    Assert.All(Strings(parameters).Where(v => v.Contains(principal[1..^1], StringComparison.Ordinal)), v => Assert.Equal(principal, v));
                    var bound = parameters.Where(p => p.Value!["value"] is JsonValue value && value.ToString() == principal)
                        .Select(p => $"[parameters('{p.Key}')]").ToHashSet();
                    var nested = resource["properties"]!["template"]!.AsObject();
                    Assert.DoesNotContain(Resources(nested), r => r["type"]!.GetValue<string>() == "Microsoft.Resources/deployments");
                    foreach (var assignment in Resources(nested).Where(r => r["type"]!.GetValue<string>() == "Microsoft.Authorization/roleAssignments"))
                    {
                        var assignee = assignment["properties"]!["principalId"]!.GetValue<string>();
                        Assert.Matches(ParameterReference(), assignee);
                        if (bound.Contains(assignee))
                        {
                            grants.Add(Grant(nested, assignment, name));
                        }
                    }

                    break;
            }
        }

        return grants;

        static (string, string, string) Grant(JsonObject template, JsonObject assignment, string module)
        {
            var role = assignment["properties"]!["roleDefinitionId"]!.GetValue<string>();
            role = VariableReference().Replace(role, v => $"'{template["variables"]![v.Groups["name"].Value]!.GetValue<string>()}'");
            var id = RoleDefinitionId().Match(role);
            Assert.True(id.Success, $"Role assignment {assignment["name"]} names no built-in role by its id: {role}");
            var scope = assignment["scope"]?.GetValue<string>() ?? "";
            return (id.Groups["id"].Value, scope.StartsWith('[') ? scope[1..^1] : scope, module);
        }
    }

    /// <summary>Every string in a JSON tree.</summary>
    private static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => Strings(p.Value)),
        JsonArray array => array.SelectMany(Strings),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => [value.GetValue<string>()],
        _ => [],
    };

    /// <summary>The Key Vault secret a ..._KV_URL output of main.bicep is the URL of, in the shape of a role assignment's scope.</summary>
    private static (string Role, string Scope, string Module) SecretOutput(JsonObject main, string output)
    {
        var value = main["outputs"]![output]!["value"]!.GetValue<string>();
        var module = ModuleOutput().Match(value);
        Assert.True(module.Success, $"Output {output} is {value}, not a module's output.");
        var uri = main["resources"]![module.Groups["module"].Value]!["properties"]!["template"]!["outputs"]![module.Groups["output"].Value]!["value"]!.GetValue<string>();
        var secret = SecretScope().Match(uri);
        Assert.True(secret.Success, $"Output {output} is {uri}, not the URI of a Key Vault secret.");
        return (KeyVaultSecretsUser, secret.Value, module.Groups["module"].Value);
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
                "NOTEJAM_WEB_IDENTITY_ID" => WebIdentityId,
                "NOTEJAM_WEB_IDENTITY_CLIENT_ID" => "22222222-2222-2222-2222-222222222222",
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

    [GeneratedRegex(@"^\[reference\('(?<module>\w+)'\)\.outputs\.(?<output>\w+)\.value\]$")]
    private static partial Regex ModuleOutput();

    [GeneratedRegex(@"^\[parameters\('\w+'\)\]$")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"variables\('(?<name>\w+)'\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[?subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', '(?<id>[0-9a-f-]{36})'\)\]?$")]
    private static partial Regex RoleDefinitionId();

    // resourceId('Microsoft.KeyVault/vaults/secrets', <vault>, <secret>): a secret, not the vault.
    [GeneratedRegex(@"resourceId\('Microsoft\.KeyVault/vaults/secrets', (?:parameters|variables)\('\w+'\), '[^']+'\)")]
    private static partial Regex SecretScope();

    [GeneratedRegex(@"'(?<name>[^']+)'\)$")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^\$\(secretOrRandomPassword \$\{(?<vault>[A-Z_]+)\} (?<secret>[A-Za-z0-9-]+)\)$")]
    private static partial Regex SecretOrRandomPassword();
}
