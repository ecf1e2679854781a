namespace Notejam.Api.Notes;

/// <summary>The orders of a notes list, spelled as in Notejam's URLs: <c>name</c>, <c>-name</c>, <c>updated_at</c>, <c>-updated_at</c>.</summary>
public static class NoteOrder
{
    public const string Default = "-updated_at";

    public static readonly IReadOnlyList<string> All = ["name", "-name", "updated_at", Default];

    public static bool IsKnown(string? order) => order is null || All.Contains(order);

    public static IQueryable<Note> Apply(IQueryable<Note> notes, string? order) => (order ?? Default) switch
    {
        "name" => notes.OrderBy(n => n.Name).ThenBy(n => n.Id),
        "-name" => notes.OrderByDescending(n => n.Name).ThenByDescending(n => n.Id),
        "updated_at" => notes.OrderBy(n => n.UpdatedAt).ThenBy(n => n.Id),
        _ => notes.OrderByDescending(n => n.UpdatedAt).ThenByDescending(n => n.Id),
    };
}
