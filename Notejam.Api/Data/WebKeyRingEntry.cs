namespace Notejam.Api.Data;

/// <summary>
/// A key of the web's own data-protection key ring. The API never reads it; its migrations only make the table, apart
/// from the API's own ring, so that neither service can use the other's keys.
/// </summary>
public sealed class WebKeyRingEntry
{
    public int Id { get; set; }

    public string? FriendlyName { get; set; }

    public string? Xml { get; set; }
}
