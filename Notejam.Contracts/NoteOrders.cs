namespace Notejam.Contracts;

/// <summary>The orders of a notes list, spelled as in Notejam's URLs (<c>?order=-name</c>) and the API's query.</summary>
public static class NoteOrders
{
    public const string Name = "name";

    public const string NameDescending = "-name";

    public const string Updated = "updated_at";

    public const string UpdatedDescending = "-updated_at";

    public const string Default = UpdatedDescending;

    public static readonly IReadOnlyList<string> All = [Name, NameDescending, Updated, UpdatedDescending];

    public static bool IsKnown(string? order) => order is null || All.Contains(order);
}
