using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Notejam.Api.Data;
using Notejam.Api.Notes;
using Notejam.Api.Users;

namespace Notejam.Api.Transfer;

/// <summary>What the transfer endpoints are given (bound with [AsParameters]).</summary>
internal sealed record TransferServices(
    NotejamDb Db, IOptions<JsonOptions> Json, TimeProvider Clock, NotejamMetrics Metrics, IOptions<NoteQuota> Quota,
    IOptions<NoteHistoryOptions> History);

/// <summary>/users/me/export and /users/me/import: all of my notes and pads, out as JSON or zipped Markdown, and back in.</summary>
internal static class TransferApi
{
    public static RouteGroupBuilder MapTransfer(this IEndpointRouteBuilder routes)
    {
        var me = routes.MapGroup("/users/me").WithTags("Export and import").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        me.MapGet("/export", ExportJson).WithName(nameof(ExportJson))
            .Produces<TransferDocument>(StatusCodes.Status200OK, "application/json")
            .WithSummary("All my pads and notes as one JSON document (format notejam-export, version 1)")
            .WithDescription("Streamed as it is read. POST it to /users/me/import to bring the notes back, here or in another account. " +
                "With history=true each note also carries its earlier versions, newest first, which an import keeps.");

        me.MapGet("/export.zip", ExportZip).WithName(nameof(ExportZip))
            .Produces<Stream>(StatusCodes.Status200OK, "application/zip")
            .WithSummary("All my notes as Markdown files in a zip: a folder per pad, \"No pad\" for the rest")
            .WithDescription("Each file is the note's text under a front matter with its name, pad and times. For reading, not for import.");

        me.MapPost("/import", Import).WithName(nameof(Import))
            .Accepts<TransferDocument>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Adds an export's pads and notes to my account, all or nothing")
            .WithDescription(
                $"At most {NotejamLimits.ImportMaxMegabytes} MB, {AccountImport.MaxPads:N0} pads and {AccountImport.MaxNotes:N0} notes, " +
                "each checked as the create endpoints check them; a 400 names where the first problem is (pads[1].notes[0].name). " +
                "A pad joins my pad of the same name if I had one; otherwise it is created. Notes keep their times.");

        return me;
    }

    public static PushStreamHttpResult ExportJson(
        ClaimsPrincipal user, [AsParameters] TransferServices services, bool history = false, CancellationToken ct = default)
    {
        var now = services.Clock.GetUtcNow();
        return TypedResults.Stream(async body =>
        {
            await using var export = new JsonExport(body, services.Json.Value.SerializerOptions, now, history);
            await export.WriteAsync(services.Db, user.Id(), ct);
        }, "application/json", FileName(now, "json"));
    }

    public static PushStreamHttpResult ExportZip(ClaimsPrincipal user, NotejamDb db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return TypedResults.Stream(async body =>
        {
            await using var export = new ZipExport(body);
            await export.WriteAsync(db, user.Id(), ct);
        }, "application/zip", FileName(now, "zip"));
    }

    public static async Task<Results<Ok<ImportResult>, ValidationProblem, ProblemHttpResult>> Import(
        HttpContext http, ClaimsPrincipal user, [AsParameters] TransferServices services, CancellationToken ct)
    {
        if (!http.Request.HasJsonContentType())
        {
            return TypedResults.Problem(title: "Send the export as application/json.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        // Larger than the API's 1 MB for other requests: a whole account comes in at once.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = NotejamLimits.ImportMaxBytes;
        }

        TransferDocument? document;
        try
        {
            document = await JsonSerializer.DeserializeAsync<TransferDocument>(http.Request.Body, services.Json.Value.SerializerOptions, ct);
        }
        catch (JsonException unreadable)
        {
            var at = unreadable.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : "";
            var message = unreadable.Message.StartsWith(NoNulStrings.Message, StringComparison.Ordinal)
                ? NoNulStrings.Message
                : $"This is not readable JSON, or a value here has the wrong type (line {unreadable.LineNumber + 1}).";
            return Invalid(new Dictionary<string, string[]> { [at] = [message] });
        }

        var errors = AccountImport.Validate(document, services.Clock.GetUtcNow());
        if (errors.Count > 0)
        {
            return Invalid(errors);
        }

        // The whole file against the quota, before anything is saved.
        var db = services.Db;
        var (notes, bytes) = AccountImport.Size(document!);
        var what = string.Create(CultureInfo.InvariantCulture, $"This import of {notes:N0} note{(notes == 1 ? "" : "s")}");
        if (services.Quota.Value.Refusal(await NoteQuota.UsageAsync(db, user.Id(), ct), notes, bytes, what) is { } full)
        {
            return full;
        }

        var result = await AccountImport.ImportAsync(db, user.Id(), document!, services.History.Value, ct);
        services.Metrics.NotesImported(result.NotesImported);
        return TypedResults.Ok(result);
    }

    private static ValidationProblem Invalid(Dictionary<string, string[]> errors)
    {
        var (at, messages) = errors.First();
        return TypedResults.ValidationProblem(errors,
            title: "The file cannot be imported; nothing was changed.",
            detail: at.Length == 0 ? messages[0] : $"{at}: {messages[0]}");
    }

    private static string FileName(DateTimeOffset now, string extension) =>
        string.Create(CultureInfo.InvariantCulture, $"notejam-{now.UtcDateTime:yyyy-MM-dd}.{extension}");
}
