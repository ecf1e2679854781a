using Microsoft.EntityFrameworkCore;
using Notejam.Api.Data;

namespace Notejam.Api.Transfer;

/// <summary>
/// Walks one account for an export, pad by pad (by name), each pad's notes oldest first, then the notes without a pad,
/// reading them as a stream of untracked rows: a large account is never held in memory. What a format writes goes to
/// <see cref="Output"/>, which is sent on to the response after each note; the memory used is about one note's worth.
/// </summary>
internal abstract class AccountExport(Stream body) : IAsyncDisposable
{
    // Sent on once this much is held: fewer, larger writes to the response.
    private const int SendAt = 32 * 1024;

    protected HeldWrites Output { get; } = new(body);

    public async Task WriteAsync(NotejamDb app, int owner, CancellationToken ct)
    {
        // Under a retrying execution strategy EF reads a whole result set before the first row (to replay it); an export
        // must stream, so it reads through a context without retries, on the same connection.
        await using var db = new NotejamDb(new DbContextOptionsBuilder<NotejamDb>().UseNpgsql(app.Database.GetDbConnection()).Options);
        // One statement for the pads and their notes, so a pad and its notes are read at the same moment.
        var padded =
            from pad in db.Pads.AsNoTracking().Where(p => p.OwnerId == owner)
            from note in db.Notes.AsNoTracking().Where(n => n.PadId == pad.Id).DefaultIfEmpty()
            orderby pad.Name, pad.Id, note!.CreatedAt, note.Id
            select new Row(pad.Id, pad.Name, note == null ? null : new TransferNote(note.Name, note.Text, note.CreatedAt, note.UpdatedAt));
        var unpadded = db.Notes.AsNoTracking()
            .Where(n => n.OwnerId == owner && n.PadId == null)
            .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id)
            .Select(n => new TransferNote(n.Name, n.Text, n.CreatedAt, n.UpdatedAt));

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
        await Output.SendAsync(ct);
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
        await NoteAsync(note, ct);
        if (Output.Held >= SendAt)
        {
            await Output.SendAsync(ct);
        }
    }

    private sealed record Row(int PadId, string PadName, TransferNote? Note);
}
