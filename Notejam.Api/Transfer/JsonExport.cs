using System.Text.Encodings.Web;
using System.Text.Json;

namespace Notejam.Api.Transfer;

/// <summary>The export as one <see cref="TransferDocument"/>, written to the response as it is read.</summary>
internal sealed class JsonExport : AccountExport
{
    private readonly DateTimeOffset _exportedAt;

    private readonly JsonSerializerOptions _options;

    private readonly Utf8JsonWriter _json;

    public JsonExport(Stream body, JsonSerializerOptions options, DateTimeOffset exportedAt, bool withHistory = false)
        : base(body, withHistory)
    {
        _exportedAt = exportedAt;
        _options = new(options)
        {
            // A file for people too: accents and quotes as they are. It is never embedded in HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = true,
        };
        _json = new Utf8JsonWriter(Output, new JsonWriterOptions { Encoder = _options.Encoder, Indented = true });
    }

    protected override Task BeginAsync(CancellationToken ct)
    {
        _json.WriteStartObject();
        _json.WriteString("format", TransferDocument.FormatName);
        _json.WriteNumber("version", TransferDocument.CurrentVersion);
        _json.WriteString("exportedAt", _exportedAt);
        _json.WriteStartArray("pads");
        return Task.CompletedTask;
    }

    protected override Task BeginPadAsync(string name, CancellationToken ct)
    {
        _json.WriteStartObject();
        _json.WriteString("name", name);
        _json.WriteStartArray("notes");
        return Task.CompletedTask;
    }

    protected override Task NoteAsync(TransferNote note, CancellationToken ct)
    {
        JsonSerializer.Serialize(_json, note, _options);
        return Task.CompletedTask;
    }

    protected override Task EndPadAsync(CancellationToken ct)
    {
        _json.WriteEndArray();
        _json.WriteEndObject();
        return Task.CompletedTask;
    }

    protected override Task BeginUnpaddedAsync(CancellationToken ct)
    {
        _json.WriteEndArray();
        _json.WriteStartArray("notes");
        return Task.CompletedTask;
    }

    protected override Task EndAsync(CancellationToken ct)
    {
        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        return Task.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync();
        await base.DisposeAsync();
    }
}
