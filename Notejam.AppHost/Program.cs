using Notejam.AppHost;

// The Notejam topology: PostgreSQL, a one-shot migration step, the API that owns the data,
// and the web site people use. Where PostgreSQL comes from is decided in PostgresExtensions.cs.
var builder = DistributedApplication.CreateBuilder(args);

var notejamDb = builder.AddNotejamDatabase("notejam");

var migrations = builder.AddProject<Projects.Notejam_Api>("migrations", launchProfileName: null)
    .WithArgs("migrate")
    .WithReference(notejamDb)
    .WaitFor(notejamDb);

var api = builder.AddProject<Projects.Notejam_Api>("api")
    .WithReference(notejamDb)
    .WaitFor(notejamDb)
    .WaitForCompletion(migrations)
    .WithHttpHealthCheck("/health");

var web = builder.AddProject<Projects.Notejam_Web>("web")
    .WithExternalHttpEndpoints()
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health");

// Password-reset mails link to the site.
api.WithEnvironment("Notejam__WebUrl", web.GetEndpoint("http"));

builder.Build().Run();
