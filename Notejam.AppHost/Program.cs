using Notejam.AppHost;
using Microsoft.Extensions.Configuration;

// The Notejam topology: PostgreSQL, a one-shot migration step, the API that owns the data,
// the web site people use, and a mail sink that catches the API's mail. Where PostgreSQL comes from
// is decided in PostgresExtensions.cs, where the mail sink comes from in MailExtensions.cs.
var builder = DistributedApplication.CreateBuilder(args);

var notejamDb = builder.AddNotejamDatabase("notejam");

var mail = builder.AddMailSink("mail");

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
    .WithHttpHealthCheck("/health");

// Only a run has the sink; a deployment gives the API its SMTP server in the Smtp:* settings.
if (builder.ExecutionContext.IsRunMode)
{
    api.WithReference(mail);
}

var web = builder.AddProject<Projects.Notejam_Web>("web")
    .WithExternalHttpEndpoints()
    .WithReference(notejamDb) // the shared data-protection key ring only
    .WaitForCompletion(migrations)
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health");

// Password-reset mails link to the site.
api.WithEnvironment("Notejam__WebUrl", web.GetEndpoint("http"));

builder.Build().Run();
