using Notejam.AppHost;
using Microsoft.Extensions.Configuration;

// The Notejam topology: PostgreSQL, a one-shot migration step, the API that owns the data,
// the web site people use, and a mail sink that catches the API's mail. Where PostgreSQL comes from
// is decided in PostgresExtensions.cs, where the mail sink comes from in MailExtensions.cs.
// Deployed by azd, each service is shaped by its template in infra/ (see docs/deploy.md).
var builder = DistributedApplication.CreateBuilder(args);

// The dashboard's buttons and links for a developer (DeveloperCommands.cs): "Reset the database" here, "Seed a demo
// account" on the web.
// The web gets only its own database (its key ring), as its own role; the notes are the api's alone.
var databases = builder.AddNotejamDatabases("notejam", "webkeyring");
var notejamDb = databases.Notes.WithResetCommand();
var webKeyRingDb = databases.WebKeyRing;

var mail = builder.AddMailSink("mail");

// Each service's own secret for encrypting its data-protection key ring at rest: generated once, kept in the
// AppHost's user secrets (run) or asked of the deployment (publish), so restarts keep reading the ring.
var apiKeyRingSecret = builder.AddKeyRingSecret("api-key-encryption-key");
var webKeyRingSecret = builder.AddKeyRingSecret("web-key-encryption-key");

// A run applies the migrations once before the api and the web start. Deployments run the same `migrate` their own way (the
// api's init container on Container Apps, a Helm hook on Kubernetes), so it is not a service of the manifest: azd
// would make it a container app that exits and is restarted for ever. It runs from the api's built assembly, not as a
// project (ApiMigrations.cs).
var migrations = builder.AddApiMigrations("migrations")
    .WithReference(notejamDb)
    .WithReference(webKeyRingDb) // it makes the web's role, database and table
    .WaitFor(notejamDb);

IResourceBuilder<T> Api<T>(IResourceBuilder<T> api) where T : IResourceWithEnvironment, IResourceWithWaitSupport, IResourceWithEndpoints =>
    api.WithReference(notejamDb)
        .WaitFor(notejamDb)
        .WaitForCompletion(migrations)
        .WithEnvironment("DataProtection__KeyEncryptionKey", apiKeyRingSecret)
        // The web, on this machine, is the API's only proxy: it forwards each visitor's address for the per-client limits.
        .WithEnvironment("Notejam__TrustedProxyNetworks", "127.0.0.0/8,::1/128")
        .WithHttpHealthCheck("/health");

IResourceBuilder<T> Web<T>(IResourceBuilder<T> web) where T : IResourceWithEnvironment, IResourceWithWaitSupport, IResourceWithEndpoints =>
    web.WithExternalHttpEndpoints()
        .WithReference(webKeyRingDb) // its data-protection key ring, and nothing of the notes database
        .WaitForCompletion(migrations)
        .WithEnvironment("DataProtection__KeyEncryptionKey", webKeyRingSecret)
        .WithHttpHealthCheck("/health");

// `dotnet run --project Notejam.AppHost -- --Notejam:ApiReplicas=2` runs the API twice behind one endpoint.
// Publishing with Notejam:Images:api and :web set declares the images a delivery built once (PrebuiltImages.cs).
var apiImage = PrebuiltImages.For(builder, "api");
var webImage = PrebuiltImages.For(builder, "web");
if (apiImage is { } prebuiltApi && webImage is { } prebuiltWeb)
{
    var api = Api(builder.AddPrebuiltService("api", prebuiltApi));
    var web = Web(builder.AddPrebuiltService("web", prebuiltWeb))
        .WithReference(api.GetEndpoint("http"));
    api.WithEnvironment("Notejam__WebUrl", web.GetEndpoint("http"));
}
else if (apiImage is not null || webImage is not null)
{
    throw new DistributedApplicationException(
        $"Set both {PrebuiltImages.Section}:api and {PrebuiltImages.Section}:web (the images of one build), or neither.");
}
else
{
    var api = Api(builder.AddProject<Projects.Notejam_Api>("api")
        .WithReplicas(builder.Configuration.GetValue("Notejam:ApiReplicas", 1)));
    // Not WaitFor(api): the web starts beside it (it answers its 503 page until the api is up), which takes a few
    // seconds off every start.
    var web = Web(builder.AddProject<Projects.Notejam_Web>("web"))
        .WithReference(api)
        .WithUrlForEndpoint("http", url => url.DisplayText = "Notejam")
        .WithSeedDemoCommand(api);

    // Password-reset mails link to the site.
    api.WithEnvironment("Notejam__WebUrl", web.GetEndpoint("http"));

    // Only a run has the sink; a deployment gives the API its SMTP server in the Smtp:* settings.
    if (builder.ExecutionContext.IsRunMode)
    {
        api.WithReference(mail);
    }
}

builder.Build().Run();
