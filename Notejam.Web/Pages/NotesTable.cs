using Notejam.Web.Api;

namespace Notejam.Web.Pages;

/// <summary>A page of notes as the tables of / and /pads/{id}/ show it.</summary>
public sealed record NotesTable(NotePage Notes, string Order, string Path, bool ShowPad)
{
    public const int PageSize = 20;
    public const string DefaultOrder = NoteOrders.Default;

    /// <summary>The order a URL asks for, or the default for anything else.</summary>
    public static string OrderFrom(string? requested) => requested is not null && NoteOrders.IsKnown(requested) ? requested : DefaultOrder;

    /// <summary>A page number the API can count to (it refuses pages past int.MaxValue notes); page 1 below 1.</summary>
    public static int PageFrom(int requested) => Math.Clamp(requested, 1, (int.MaxValue / PageSize) + 1);
}
