using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;

namespace Notejam.Api.Transfer;

/// <summary>
/// Walks one account for an export, pad by pad (by name), each pad's notes oldest first, then the notes without a pad,
/// reading them as a stream of untracked rows: a large account is never held in memory. What a format writes goes to
/// <see cref="Output"/>, ASP.NET Core's write buffer, drained to the response every 32 KB: writers that write
/// synchronously somewhere inside (ZipArchive, Utf8JsonWriter) cost no blocking IO on Kestrel's response, and the
/// memory used is about one note's worth.
/// </summary>
internal abstract class AccountExport(Stream body, bool withHistory = false) : IAsyncDisposable
{
    // Sent on once this much is held: fewer, larger writes to the response.
    private const int SendAt = 32 * 1024;

    // Notes are at most 1 MB (the API's body limit), so what is held never spills to a temporary file.
    private const int HeldInMemory = 4 * 1024 * 1024;

    protected FileBufferingWriteStream Output { get; } = new(memoryThreshold: HeldInMemory);

    public async Task WriteAsync(NotejamDb app, int owner, CancellationToken ct)
    {
        // Under a retrying execution strategy EF reads a whole result set before the first row (to replay it); an export
        // must stream, so it reads through a context without retries, on the same connection.
        await using var db = new NotejamDb(new DbContextOptionsBuilder<NotejamDb>().UseNpgsql(app.Database.GetDbConnection()).Options);
        // One statement for the pads and their notes (and, asked for, each note's versions, newest first: EF streams a
        // note's rows together), so a pad and its notes are read at the same moment.
        var padded =
            from pad in db.Pads.AsNoTracking().Where(p => p.OwnerId == owner)
            from note in db.Notes.AsNoTracking().Where(n => n.PadId == pad.Id).DefaultIfEmpty()
            orderby pad.Name, pad.Id, note!.CreatedAt, note.Id
            select new Row(pad.Id, pad.Name, note == null ? null : new TransferNote(note.Name, note.Text, note.CreatedAt, note.UpdatedAt,
                db.NoteVersions.Where(v => withHistory && v.NoteId == note.Id).OrderByDescending(v => v.Id)
                    .Select(v => new TransferVersion(v.Name, v.Text, db.Pads.Where(p => p.Id == v.PadId).Select(p => p.Name).FirstOrDefault(), v.SavedAt))
                    .ToList()));
        var unpadded = db.Notes.AsNoTracking()
            .Where(n => n.OwnerId == owner && n.PadId == null)
            .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id)
            .Select(n => new TransferNote(n.Name, n.Text, n.CreatedAt, n.UpdatedAt,
                db.NoteVersions.Where(v => withHistory && v.NoteId == n.Id).OrderByDescending(v => v.Id)
                    .Select(v => new TransferVersion(v.Name, v.Text, db.Pads.Where(p => p.Id == v.PadId).Select(p => p.Name).FirstOrDefault(), v.SavedAt))
                    .ToList()));

        await BeginAsync(ct);
        int? currentPad = null;
        await foreach (var row in padded.AsAsyncEnumerable().WithCancellation(ct))
        {
            if (row.PadId != currentPad)
            {
                if (currentPad is not null)
                {
                    await EndPadAsync(ct);
                }

                currentPad = row.PadId;
                await BeginPadAsync(row.PadName, ct);
            }

            if (row.Note is { } note)
            {
                await WriteNoteAsync(note, ct);
            }
        }

        if (currentPad is not null)
        {
            await EndPadAsync(ct);
        }

        await BeginUnpaddedAsync(ct);
        await foreach (var note in unpadded.AsAsyncEnumerable().WithCancellation(ct))
        {
            await WriteNoteAsync(note, ct);
        }

        await EndAsync(ct);
        await Output.DrainBufferAsync(body, ct);
    }

    public virtual ValueTask DisposeAsync() => Output.DisposeAsync();

    protected abstract Task BeginAsync(CancellationToken ct);

    protected abstract Task BeginPadAsync(string name, CancellationToken ct);

    protected abstract Task NoteAsync(TransferNote note, CancellationToken ct);

    protected abstract Task EndPadAsync(CancellationToken ct);

    protected abstract Task BeginUnpaddedAsync(CancellationToken ct);

    protected abstract Task EndAsync(CancellationToken ct);

    private async Task WriteNoteAsync(TransferNote note, CancellationToken ct)
    {
        // Without history=true a note has no "history" at all, as before history existed (not an empty one).
        await NoteAsync(withHistory ? note : note with { History = null }, ct);
        if (Output.Length >= SendAt)
        {
            await Output.DrainBufferAsync(body, ct);
        }
    }

    private sealed record Row(int PadId, string PadName, TransferNote? Note);
}
