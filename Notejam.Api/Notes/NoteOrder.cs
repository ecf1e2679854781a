namespace Notejam.Api.Notes;

/// <summary>The orders of a notes list, spelled as in Notejam's URLs: <c>name</c>, <c>-name</c>, <c>updated_at</c>, <c>-updated_at</c>.</summary>
public static class NoteOrder
{
    public const string Default = NoteOrders.Default;

    public static IReadOnlyList<string> All => NoteOrders.All;

    public static bool IsKnown(string? order) => NoteOrders.IsKnown(order);

    public static IQueryable<Note> Apply(IQueryable<Note> notes, string? order) => (order ?? Default) switch
    {
        NoteOrders.Name => notes.OrderBy(n => n.Name).ThenBy(n => n.Id),
        NoteOrders.NameDescending => notes.OrderByDescending(n => n.Name).ThenByDescending(n => n.Id),
        NoteOrders.Updated => notes.OrderBy(n => n.UpdatedAt).ThenBy(n => n.Id),
        _ => notes.OrderByDescending(n => n.UpdatedAt).ThenByDescending(n => n.Id),
    };
}
