using Notejam.Api;
using Notejam.Api.Data;
using Notejam.Api.Documentation;
using Notejam.Api.Limits;
using Notejam.Api.Mail;
using Notejam.Api.Notes;
using Notejam.Api.Pads;
using Notejam.Api.Sessions;
using Notejam.Api.Transfer;
using Notejam.Api.Users;

HealthProbe.ExitIfAsked(args); // a container health check (compose); exits
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults().AddClientAddresses().AddGracefulShutdown();
builder.AddNotejamDb().AddUsers().AddSessions().AddMail();
builder.Services.AddAccountLimits().AddNotes().AddNotejamMetrics().AddApiPolicies().AddApiDocument();

var app = builder.Build();
if (args is ["migrate", ..])
{
    await MigrateCommand.RunAsync(app.Services);
    return;
}

app.UseClientAddresses();
app.UseApiProblems();
app.UseAuthentication();
app.UseEndedSessionsRefused();
app.UseAuthorization();

app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapUsers();
app.MapSessions();
app.MapPasskeys();
app.MapPads();
app.MapNotes();
app.MapNoteSearch();
app.MapShares();
app.MapHistory();
app.MapTransfer();

app.Run();
