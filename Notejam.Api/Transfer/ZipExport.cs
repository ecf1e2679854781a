using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Notejam.Api.Transfer;

/// <summary>
/// The export as a zip of Markdown files: a folder per pad, the notes without a pad in "No pad", each file the note's
/// text under a front matter with its name, pad and times. Entries are written one after another to the response
/// (a zip needs no seeking when each entry ends with a data descriptor).
/// </summary>
internal sealed class ZipExport : AccountExport
{
    public const string NoPadFolder = "No pad";

    private static readonly JsonSerializerOptions Quoted = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Zip times are MS-DOS times: 1980 to 2107.
    private static readonly DateTimeOffset ZipEpoch = new(1980, 1, 2, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ZipEnd = new(2107, 12, 30, 0, 0, 0, TimeSpan.Zero);

    private readonly ZipArchive _zip;
    private readonly SafeFileNames _folders = new([NoPadFolder]);
    private SafeFileNames _files = new([]);
    private string _folder = "";
    private string? _padName;

    public ZipExport(Stream body)
        : base(body) => _zip = new ZipArchive(Output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8);

    protected override Task BeginAsync(CancellationToken ct) => Task.CompletedTask;

    protected override async Task BeginPadAsync(string name, CancellationToken ct)
    {
        _padName = name;
        await OpenFolderAsync(_folders.Add(name), ct);
    }

    protected override async Task NoteAsync(TransferNote note, CancellationToken ct)
    {
        var entry = _zip.CreateEntry($"{_folder}/{_files.Add(note.Name!)}.md", CompressionLevel.Fastest);
        entry.LastWriteTime = Clamp(note.UpdatedAt!.Value);
        await using var stream = await entry.OpenAsync(ct);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Markdown(note, _padName)), ct);
    }

    protected override Task EndPadAsync(CancellationToken ct) => Task.CompletedTask;

    protected override Task BeginUnpaddedAsync(CancellationToken ct)
    {
        _padName = null;
        return OpenFolderAsync(NoPadFolder, ct);
    }

    // The central directory, at the end of the zip.
    protected override Task EndAsync(CancellationToken ct) => _zip.DisposeAsync().AsTask();

    public override async ValueTask DisposeAsync()
    {
        await _zip.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>The note's text after a front matter any Markdown tool reads (strings quoted as JSON, which YAML reads too).</summary>
    public static string Markdown(TransferNote note, string? pad)
    {
        var text = new StringBuilder()
            .Append("---\n")
            .Append(CultureInfo.InvariantCulture, $"name: {JsonSerializer.Serialize(note.Name, Quoted)}\n");
        if (pad is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"pad: {JsonSerializer.Serialize(pad, Quoted)}\n");
        }

        return text
            .Append(CultureInfo.InvariantCulture, $"created: {note.CreatedAt!.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffffZ}\n")
            .Append(CultureInfo.InvariantCulture, $"updated: {note.UpdatedAt!.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffffZ}\n")
            .Append("---\n\n")
            .Append(note.Text)
            .ToString();
    }

    private async Task OpenFolderAsync(string folder, CancellationToken ct)
    {
        _folder = folder;
        _files = new SafeFileNames([]);
        // An entry of its own, so an empty pad is an empty folder.
        var entry = _zip.CreateEntry(folder + "/");
        var stream = await entry.OpenAsync(ct);
        await stream.DisposeAsync();
    }

    private static DateTimeOffset Clamp(DateTimeOffset time) => time < ZipEpoch ? ZipEpoch : time > ZipEnd ? ZipEnd : time;
}
