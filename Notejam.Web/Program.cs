using Notejam.Web;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddHttpClient<NotejamApiClient>(client =>
    client.BaseAddress = new Uri(builder.Configuration["Notejam:ApiUrl"] ?? "https+http://api"));

var app = builder.Build();

app.MapDefaultEndpoints();

// A placeholder until the site arrives: it shows that the web reaches the API through service discovery.
app.MapGet("/", async (NotejamApiClient api, CancellationToken ct) =>
{
    var status = await api.HealthAsync(ct);
    return Results.Content(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Notejam</title></head>" +
        $"<body><h1>note<b>jam</b>:</h1><p id=\"api-status\">API: {System.Net.WebUtility.HtmlEncode(status)}</p></body></html>",
        "text/html; charset=utf-8");
});

app.Run();
