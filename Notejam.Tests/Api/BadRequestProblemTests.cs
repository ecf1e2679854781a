using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Notejam.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Notejam.Tests.Api;

/// <summary>
/// Security review: 400s named internal types ("Failed to read parameter \"CreateNoteRequest request\""). Every route
/// that reads a JSON body, from the API's own endpoint data, gets a matrix of bad bodies: the answer is a 400 problem
/// that names the JSON's fields, never a C# type or parameter.
/// </summary>
[Collection(ApiTests.Name)]
public sealed class BadRequestProblemTests(ApiFactory api, ITestOutputHelper output)
{
    private static readonly string[] Unreadable =
        ["", "{", "[", "nul", "null", "1", "\"just a string\"", "[1,2,3]", "{\"x\":}", "{\"x\": \"a\"", "{}}", "\u0000"];

    private static readonly string[] Internals = ["Request", "request\"", "System.", "Notejam.", "parameter"];

    [Fact]
    public async Task Bad_request_problems_name_fields_never_internal_types()
    {
        using var owner = await ApiUser.CreateAsync(api);
        var pad = await owner.CreatePadAsync("Pad");
        var note = await owner.CreateNoteAsync("Note", "Text", pad.GetProperty("id").GetInt32());
        var routes = JsonBodyRoutes();
        Assert.True(routes.Count >= 10, $"Only {routes.Count} routes with JSON bodies: {string.Join(", ", routes.Select(r => r.Route))}");
        var failures = new List<string>();

        foreach (var (route, fields) in routes)
        {
            var url = route.Url(note.GetProperty("id").GetInt32(), pad.GetProperty("id").GetInt32());
            var bodies = Unreadable.Select(body => (Body: body, Field: (string?)null))
                .Concat(fields.SelectMany(field => new (string Body, string? Field)[]
                {
                    ($"{{\"{field}\": {{\"a\": 1}}}}", field),
                    ($"{{\"{field}\": [1]}}", field),
                    ($"{{\"{field}\": \"\\u0000\"}}", field),
                    ($"{{\"{field}\": }}", field),
                }));
            foreach (var (body, field) in bodies)
            {
                using var request = new HttpRequestMessage(new HttpMethod(route.Verb), url)
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                using var response = await owner.Http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                var wrong = Check(response, text, field);
                if (wrong is not null)
                {
                    failures.Add($"{route} with {body}: {wrong}: {(int)response.StatusCode} {text}");
                }
            }
        }

        output.WriteLine(string.Join(Environment.NewLine, routes.Select(r => $"{r.Route}: {string.Join(", ", r.Fields)}")));
        Assert.True(failures.Count == 0, $"{failures.Count} failures:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(20))}");
    }

    [Theory]
    [InlineData("/notes?page=abc", "page")]
    [InlineData("/notes?pageSize=1.5", "pageSize")]
    [InlineData("/notes?padId=99999999999", "padId")]
    public async Task Bad_query_values_are_named_by_field_never_by_type(string url, string field)
    {
        using var owner = await ApiUser.CreateAsync(api);

        using var response = await owner.Http.GetAsync(url);

        var text = await response.Content.ReadAsStringAsync();
        Assert.Null(Check(response, text, field));
        Assert.DoesNotContain("int", Problem(text), StringComparison.Ordinal);
    }

    /// <summary>What is wrong with the answer, or null: a 400 problem naming the field (when one was wrong), nothing internal.</summary>
    private static string? Check(HttpResponseMessage response, string text, string? field)
    {
        if (response.StatusCode != HttpStatusCode.BadRequest || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return "expected a 400 problem";
        }

        var shown = Problem(text);
        if (Internals.FirstOrDefault(internals => shown.Contains(internals, StringComparison.Ordinal)) is { } leak)
        {
            return $"names {leak}";
        }

        return field is not null && !shown.Contains(field, StringComparison.Ordinal) ? $"does not name {field}" : null;
    }

    /// <summary>The problem's title, detail and errors: what a client shows.</summary>
    private static string Problem(string text)
    {
        var problem = JsonDocument.Parse(text).RootElement;
        var shown = new StringBuilder();
        foreach (var part in new[] { "title", "detail" })
        {
            if (problem.TryGetProperty(part, out var value) && value.ValueKind == JsonValueKind.String)
            {
                shown.AppendLine(value.GetString());
            }
        }

        if (problem.TryGetProperty("errors", out var errors))
        {
            foreach (var error in errors.EnumerateObject())
            {
                shown.AppendLine(error.Name).AppendLine(string.Join(Environment.NewLine, error.Value.EnumerateArray().Select(m => m.GetString())));
            }
        }

        return shown.ToString();
    }

    /// <summary>Every (route, verb) whose endpoint accepts a JSON body, with the JSON names of that body's fields.</summary>
    private List<(RouteVerb Route, string[] Fields)> JsonBodyRoutes() =>
    [
        .. api.Services.GetServices<EndpointDataSource>()
            .SelectMany(source => source.Endpoints)
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is { RequestType: not null } accepts
                && accepts.ContentTypes.Contains("application/json"))
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(verb => (
                new RouteVerb("/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/'), verb),
                endpoint.Metadata.GetMetadata<IAcceptsMetadata>()!.RequestType!.GetProperties()
                    .Select(property => JsonNamingPolicy.CamelCase.ConvertName(property.Name)).ToArray())))
            .DistinctBy(route => route.Item1)
            .OrderBy(route => route.Item1.ToString(), StringComparer.Ordinal),
    ];
}
