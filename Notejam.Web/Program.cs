using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Notejam.Web;
using Npgsql;
using Notejam.Web.Account;
using Notejam.Web.Api;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddClientAddresses();
builder.AddGracefulShutdown();

// Every replica shares one key ring, so cookies and antiforgery tokens survive restarts and load balancing. It lives in
// the web's own database, as its own role: the web holds no credential for the notes, which only the api reads.
var keyRingConnection = KeyRingDb.ConnectionString(builder.Configuration);
builder.AddNpgsqlDbContext<KeyRingDb>(KeyRingDb.ConnectionName, settings =>
{
    settings.DisableHealthChecks = true;
    settings.DisableRetry = true;
    // Traced and measured by the service defaults wherever telemetry is exported; left on, these would start providers where it is not.
    settings.DisableTracing = true;
    settings.DisableMetrics = true;
});
builder.AddKeyRing("Notejam.Web").PersistKeysToDbContext<KeyRingDb>()
    .CreateFirstKeyOnce(() => new NpgsqlConnection(keyRingConnection));

builder.Services.AddHttpContextAccessor();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddScoped<PersonClock>();
builder.Services.AddScoped<MyPads>();
builder.Services.AddSingleton<ApiReadCache>();
builder.Services.AddScoped<ConfirmedETag>();
builder.Services.AddTransient<ApiTokenHandler>();
// The API, found by service discovery unless configured.
var apiSettings = ApiClientSettings.From(builder.Configuration);
builder.Services.AddHttpClient<NotejamApiClient>(client =>
        client.BaseAddress = apiSettings.ApiUrl)
    .AddHttpMessageHandler<ApiTokenHandler>()
    // Fail fast to the 503 page rather than keep a person waiting; never repeat a change the API may have made.
    .RemoveAllResilienceHandlers()
    .AddStandardResilienceHandler(options =>
    {
        options.Retry.MaxRetryAttempts = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.DisableForUnsafeHttpMethods();
        options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(5);
        options.TotalRequestTimeout.Timeout = ApiClientSettings.TotalBudget;
        // A page read gets its answer or the 503 page within Notejam:ApiReadBudget (1.8 s), retries included, even when
        // something in between holds the connection open; a change keeps the longer budget, so it is not cut off
        // after the API may have saved it.
        var readBudget = apiSettings.ApiReadBudget;
        options.TotalRequestTimeout.TimeoutGenerator = arguments => ValueTask.FromResult(
            arguments.Context.GetRequestMessage()?.Method is { } method && (method == HttpMethod.Get || method == HttpMethod.Head)
                ? readBudget
                : options.TotalRequestTimeout.Timeout);
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(10);
        // After an outage the site tries the API again within 2 s, not the default 5.
        options.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(2);
    });

// A whole account moves through this one: minutes, not seconds, and still never a change repeated.
builder.Services.AddHttpClient(NotejamApiClient.TransferClient, client =>
    {
        client.BaseAddress = apiSettings.ApiUrl;
        client.Timeout = TimeSpan.FromMinutes(5);
    })
    .AddHttpMessageHandler<ApiTokenHandler>()
    .RemoveAllResilienceHandlers()
    .AddStandardResilienceHandler(options =>
    {
        options.Retry.DisableForUnsafeHttpMethods();
        options.AttemptTimeout.Timeout = TimeSpan.FromMinutes(2);
        options.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(5);
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(4);
    });

builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.Cookie.Name = "notejam";
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Lax;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.LoginPath = "/signin/";
        options.LogoutPath = "/signout/";
        options.AccessDeniedPath = "/signin/";
        options.ExpireTimeSpan = TimeSpan.FromDays(14);
        options.SlidingExpiration = true;
        options.Events.OnValidatePrincipal = NotejamSession.ValidateAsync;
    });
builder.Services.AddAuthorizationBuilder()
    .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
builder.Services.AddAntiforgery(options =>
{
    options.Cookie.Name = "notejam-antiforgery";
    options.Cookie.SameSite = SameSiteMode.Strict;
    options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
});
builder.Services.Configure<CookieTempDataProviderOptions>(options =>
{
    options.Cookie.Name = "notejam-flash";
    options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
});
builder.Services.Configure<RouteOptions>(options =>
{
    options.LowercaseUrls = true;
    options.AppendTrailingSlash = true;
});
// The API counts what an attacker does on the account forms across all replicas (the site forwards each visitor's
// address); the site shows its 429 and counts it here.
builder.Services.AddSingleton<RateLimitedCounter>();
builder.Services.AddSingleton<RenderedPages>();
builder.Services.AddRazorPages().AddMvcOptions(options => options.Filters.AddService<RenderedPages>());

var app = builder.Build();

app.UseClientAddresses();
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    ExceptionHandlingPath = "/error/",
    StatusCodeSelector = exception => exception switch
    {
        TooManyRequestsException => StatusCodes.Status429TooManyRequests,
        _ when ApiUnavailable.Is(exception) => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    },
    SuppressDiagnosticsCallback = context => context.Exception is TooManyRequestsException,
});
if (!app.Environment.IsDevelopment())
{
    app.UseHsts();
}

app.UseStatusCodePagesWithReExecute("/error/", "?code={0}");
app.UseSecurityHeaders();
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.Use(async (context, next) =>
{
    try
    {
        await next(context);
    }
    catch (SessionExpiredException) when (!context.Response.HasStarted)
    {
        // The API refused the token (revoked or expired): sign in again, then come back here.
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        var here = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        context.Response.Redirect($"/signin/?ReturnUrl={Uri.EscapeDataString(here)}");
    }
});
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapRazorPages();

app.Run();
