namespace Notejam.Api.Notes;

/// <summary>A notes list in one of <see cref="NoteOrders"/>, the id as the tiebreak (each order has its index).</summary>
public static class NoteOrder
{
    public static IQueryable<Note> Apply(IQueryable<Note> notes, string? order) => (order ?? NoteOrders.Default) switch
    {
        NoteOrders.Name => notes.OrderBy(n => n.Name).ThenBy(n => n.Id),
        NoteOrders.NameDescending => notes.OrderByDescending(n => n.Name).ThenByDescending(n => n.Id),
        NoteOrders.Updated => notes.OrderBy(n => n.UpdatedAt).ThenBy(n => n.Id),
        _ => notes.OrderByDescending(n => n.UpdatedAt).ThenByDescending(n => n.Id),
    };
}
