namespace Notejam.Api.Data;

/// <summary>
/// A key of the web's data-protection key ring as earlier versions kept it, in the notes database. The web now keeps its
/// ring in a database of its own (<see cref="WebKeyRingDatabase"/>), and `migrate` copies these keys there once. The
/// table stays for one release, read by nothing of this one (expand, then contract: docs/deploy.md); the next release's
/// migration drops it with this class.
/// </summary>
public sealed class WebKeyRingEntry
{
    public int Id { get; set; }

    public string? FriendlyName { get; set; }

    public string? Xml { get; set; }
}
