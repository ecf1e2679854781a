using Notejam.AppHost;
using Microsoft.Extensions.Configuration;

// The Notejam topology: PostgreSQL, a one-shot migration step, the API that owns the data,
// the web site people use, and a mail sink that catches the API's mail. Where PostgreSQL comes from
// is decided in PostgresExtensions.cs, where the mail sink comes from in MailExtensions.cs.
var builder = DistributedApplication.CreateBuilder(args);

var notejamDb = builder.AddNotejamDatabase("notejam");

var mail = builder.AddMailSink("mail");

// Each service's own secret for encrypting its data-protection key ring at rest: generated once, kept in the
// AppHost's user secrets (run) or asked of the deployment (publish), so restarts keep reading the ring.
var apiKeyRingSecret = builder.AddKeyRingSecret("api-key-encryption-key");
var webKeyRingSecret = builder.AddKeyRingSecret("web-key-encryption-key");

var migrations = builder.AddProject<Projects.Notejam_Api>("migrations", launchProfileName: null)
    .WithArgs("migrate")
    .WithReference(notejamDb)
    .WaitFor(notejamDb);

// `dotnet run --project Notejam.AppHost -- --Notejam:ApiReplicas=2` runs the API twice behind one endpoint.
var api = builder.AddProject<Projects.Notejam_Api>("api")
    .WithReplicas(builder.Configuration.GetValue("Notejam:ApiReplicas", 1))
    .WithReference(notejamDb)
    .WaitFor(notejamDb)
    .WaitForCompletion(migrations)
    .WithEnvironment("DataProtection__KeyEncryptionKey", apiKeyRingSecret)
    // The web, on this machine, is the API's only proxy: it forwards each visitor's address for the per-client limits.
    .WithEnvironment("Notejam__TrustedProxyNetworks", "127.0.0.0/8,::1/128")
    .WithHttpHealthCheck("/health");

// Only a run has the sink; a deployment gives the API its SMTP server in the Smtp:* settings.
if (builder.ExecutionContext.IsRunMode)
{
    api.WithReference(mail);
}

var web = builder.AddProject<Projects.Notejam_Web>("web")
    .WithExternalHttpEndpoints()
    .WithReference(notejamDb) // its data-protection key ring only
    .WaitForCompletion(migrations)
    .WithReference(api)
    .WaitFor(api)
    .WithEnvironment("DataProtection__KeyEncryptionKey", webKeyRingSecret)
    .WithHttpHealthCheck("/health");

// Password-reset mails link to the site.
api.WithEnvironment("Notejam__WebUrl", web.GetEndpoint("http"));

builder.Build().Run();
