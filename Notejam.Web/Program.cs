using Notejam.Web;
using Notejam.Web.Account;
using Notejam.Web.Api;
using Notejam.Web.Pages;
using Notejam.Web.Rendering;

HealthProbe.ExitIfAsked(args); // a container health check (compose); exits
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddClientAddresses();
builder.AddGracefulShutdown();
builder.AddNotejamKeyRing();
builder.AddNotejamApiClient();
builder.AddNotejamAuthentication();
builder.AddNotejamPages();

var app = builder.Build();

app.UseClientAddresses();
app.UseNotejamExceptionHandler();
app.UseNotejamHsts();
app.UseNotejamStatusCodePages();
app.UseNotejamSecurityHeaders();
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseNotejamSessionExpiry();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapRazorPages();

app.Run();
