using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Notejam.Api.Documentation;

/// <summary>
/// /openapi/v1.json: the API described for people and for client generators. ASP.NET Core describes the routes, bodies
/// and the answers each endpoint declares (its typed results, <c>.Produces…</c>); these transformers add what it cannot
/// know: who may call what (bearer tokens), what each tag is, where the API is, and 32-bit unsigned numbers as integers
/// any client can hold.
/// </summary>
internal static class ApiDocument
{
    public const string BearerScheme = "Bearer";

    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Users"] = "Accounts and their sessions: sign up, sign in for tokens, refresh them, sign out, change or reset the password, delete the account.",
        ["Pads"] = "My pads: named groups of notes.",
        ["Notes"] = "My notes, each in one of my pads or in none, and full-text search over them.",
        ["Export and import"] = "All of my pads and notes at once: out as JSON or zipped Markdown, and back in from the JSON.",
    };

    public static IServiceCollection AddApiDocument(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer(DescribeDocument);
        options.AddOperationTransformer(DescribeOperation);
        options.AddSchemaTransformer(DescribeSchema);
    });

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info.Title = "Notejam API";
        document.Info.Description =
            "Notes in pads, kept per account. Sign in with POST /users/signin and send its accessToken as a bearer token. " +
            "Every answer that is not a success is RFC 7807 problem details; validation problems name the fields.";
        // Relative: the document is served by the API it describes, at whatever address that API is reached.
        document.Servers = [new OpenApiServer { Url = "/", Description = "The API that serves this document." }];
        document.Tags = new HashSet<OpenApiTag>(
            Tags.Select(tag => new OpenApiTag { Name = tag.Key, Description = tag.Value }));
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The accessToken that /users/signin, /users/refresh or /users/me/password answered. It is opaque, " +
                "not a JWT, and works until it expires or its session ends.",
        };
        return Task.CompletedTask;
    }

    /// <summary>Signed-in endpoints need the bearer token; the others say explicitly that they need nothing.</summary>
    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var signedIn = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any();
        operation.Security = signedIn
            ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }]
            : [];
        if (operation.Responses?.TryGetValue("429", out var tooMany) == true && tooMany is OpenApiResponse response)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before trying again, when this client address or mailbox must wait " +
                    "(not sent when the account itself is locked).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            };
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Two corrections to the schemas ASP.NET Core derives from the JSON contracts:
    /// <list type="bullet">
    /// <item>Strings are read by <see cref="NoNulStrings"/>, a converter of the API's own, and a converter's output is no
    /// type the framework can name, so it leaves their schema empty ("anything"): they are strings, null where the C# says
    /// so, and arrays of them are arrays of strings.</item>
    /// <item>Versions are PostgreSQL's 32-bit xmin, past int32 in a database that has lived long enough: "uint32" is no
    /// format generators know, so they would read it as an int32 or not at all. An int64 from 0 to 2^32-1 says the same
    /// to every one of them.</item>
    /// </list>
    /// </summary>
    private static Task DescribeSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(string) && schema.Type is null)
        {
            schema.Type = context.JsonPropertyInfo?.IsGetNullable == true ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        }
        else if (type == typeof(string[]) && schema.Items is null or OpenApiSchema { Type: null })
        {
            schema.Items = new OpenApiSchema { Type = JsonSchemaType.String };
        }
        else if (type == typeof(uint) || type == typeof(uint?))
        {
            schema.Format = "int64";
            schema.Minimum = "0";
            schema.Maximum = uint.MaxValue.ToString(CultureInfo.InvariantCulture);
        }

        return Task.CompletedTask;
    }
}
