using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Notejam.Api;
using Notejam.Api.Data;
using Notejam.Api.Notes;
using Notejam.Api.Pads;
using Notejam.Api.Transfer;
using Notejam.Api.Users;
using Npgsql;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddClientAddresses();
builder.AddGracefulShutdown();
builder.AddNpgsqlDbContext<NotejamDb>("notejam",
    settings =>
    {
        settings.ConnectionString = PooledConnections.Tune(settings.ConnectionString);
        // Both replaced below: the defaults retry for minutes, which turns a database outage into hung requests and probes.
        settings.DisableRetry = true;
        settings.DisableHealthChecks = true;
        // The service defaults trace and measure Npgsql and EF Core wherever telemetry is exported; left on, these would
        // start a tracer and a meter provider (a span and measurements per command) where it is not.
        settings.DisableTracing = true;
        settings.DisableMetrics = true;
    },
    options => options.UseNpgsql(npgsql => npgsql.EnableRetryOnFailure(
        maxRetryCount: 2, maxRetryDelay: TimeSpan.FromSeconds(1), errorCodesToAdd: null)));
builder.Services.AddHealthChecks().AddNpgSql(
    builder.Configuration.GetConnectionString("notejam") ?? "", name: "postgres", timeout: TimeSpan.FromSeconds(3));

builder.AddKeyRing("Notejam.Api").PersistKeysToDbContext<NotejamDb>()
    .CreateFirstKeyOnce(() => new NpgsqlConnection(builder.Configuration.GetConnectionString("notejam")));

var lifetimes = TokenLifetimes.From(builder.Configuration);
builder.Services.AddAuthentication(IdentityConstants.BearerScheme)
    .AddBearerToken(IdentityConstants.BearerScheme, options =>
        options.BearerTokenExpiration = lifetimes.AccessTokenLifetime);
builder.Services.AddAuthorization();

builder.Services.AddIdentityCore<User>(options =>
    {
        options.User.RequireUniqueEmail = true;
        // Emails are user names; any character an email may hold is allowed.
        options.User.AllowedUserNameCharacters = "";
        options.Password.RequiredLength = 8;
        options.Password.RequireDigit = false;
        options.Password.RequireLowercase = false;
        options.Password.RequireUppercase = false;
        options.Password.RequireNonAlphanumeric = false;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
    })
    .AddEntityFrameworkStores<NotejamDb>()
    .AddSignInManager()
    .AddDefaultTokenProviders();
builder.Services.Configure<DataProtectionTokenProviderOptions>(options =>
    options.TokenLifespan = lifetimes.ResetLinkLifetime);
// Mail goes to the AppHost's sink or the configured server; with neither, reset links go to the log. Either way it
// leaves from the outbox, after the request has been answered.
if (SmtpSettings.FromConfiguration(builder.Configuration) is { } smtp)
{
    builder.Services.AddSingleton(smtp);
    builder.Services.AddKeyedSingleton<IEmailSender<User>, SmtpEmailSender>(MailOutbox.Delivery);
}
else
{
    builder.Services.AddKeyedSingleton<IEmailSender<User>, LoggingEmailSender>(MailOutbox.Delivery);
}

builder.Services.AddSingleton<MailOutbox>();
builder.Services.AddSingleton<IEmailSender<User>>(services => services.GetRequiredService<MailOutbox>());
builder.Services.AddHostedService(services => services.GetRequiredService<MailOutbox>());

builder.Services.Configure<NotejamLinks>(builder.Configuration.GetSection("Notejam"));

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<NotejamMetrics>();
builder.Services.AddAccountLimits();
builder.Services.AddScoped<Sessions>();
builder.Services.AddOptions<SessionLimits>().BindConfiguration(SessionLimits.Section)
    .Validate(o => o.RefreshReuseGrace >= TimeSpan.Zero, $"{SessionLimits.Section}:RefreshReuseGrace must not be negative.").ValidateOnStart();
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ApiProblemDetails.Customize);
builder.Services.AddApiPolicies();
builder.Services.AddValidation();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new NoNulStrings()));
builder.Services.AddOpenApi();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024 * 1024);

var app = builder.Build();

if (args is ["migrate", ..])
{
    // The one-shot that runs before every rollout (AppHost, Kubernetes hook) and in every new replica on Container Apps.
    await MigrateCommand.RunAsync(app.Services);
    return;
}

app.UseClientAddresses();
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    // Unreadable input (bad JSON, an oversized body) is the client's error, answered with its own status.
    // The database out of reach is an outage to wait out (503, retried by the site for reads), not a bug.
    StatusCodeSelector = exception => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        _ when ApiProblemDetails.IsDatabaseUnavailable(exception) => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    },
    SuppressDiagnosticsCallback = context => context.Exception is BadHttpRequestException,
});
app.UseStatusCodePages();
app.UseAuthentication();
app.UseEndedSessionsRefused();
app.UseAuthorization();

app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapUsers();
app.MapPads();
app.MapNotes();
app.MapTransfer();
app.MapNoteSearch();

app.Run();
