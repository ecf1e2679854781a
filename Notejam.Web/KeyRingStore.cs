using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Notejam.Web;

/// <summary>
/// The web's data-protection key ring, shared by every web replica so that any of them reads the cookies and
/// antiforgery tokens another issued. It is the one thing the web keeps, in a database of its own reached as a role of
/// its own (<c>ConnectionStrings:webkeyring</c>): Notejam.Api's `migrate` makes the role, the database and this table
/// (Notejam.Api/Data/WebKeyRingDatabase.cs), and the web is never given the notes database's connection string.
/// </summary>
/// <remarks>
/// Data protection's own extension point for where keys are kept (<see cref="IXmlRepository"/>), on Npgsql alone: the
/// table is the one Microsoft.AspNetCore.DataProtection.EntityFrameworkCore maps (rows of FriendlyName and Xml, read in
/// the order they were written), so a ring written by the web of an earlier version, which kept it through EF Core, reads
/// unchanged. The web reads it at start and when a key nears its end, so EF Core's model and provider, loaded for that
/// alone, cost it memory for nothing (docs/performance.md, "Memory").
/// </remarks>
public sealed class KeyRingStore(NpgsqlDataSource dataSource) : IXmlRepository, IDisposable
{
    public const string ConnectionName = "webkeyring";

    public const string Table = "WebDataProtectionKeys";

    /// <summary>The web's own connection string; a start without one stops with a message that names it.</summary>
    public static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionName) is { Length: > 0 } connectionString
            ? connectionString
            : throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set: the web keeps its data-protection key ring in a database of its " +
                "own, as a role of its own, made by the api's `migrate` (docs/deploy.md, \"The web's own database\").");

    // IXmlRepository is synchronous: data protection calls it from its key ring provider, off the request path except
    // for the first request after a refresh is due.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var read = dataSource.CreateCommand($"""SELECT "Xml" FROM "{Table}" WHERE "Xml" IS NOT NULL ORDER BY "Id" """);
        using var rows = read.ExecuteReader();
        var elements = new List<XElement>();
        while (rows.Read())
        {
            elements.Add(XElement.Parse(rows.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var insert = dataSource.CreateCommand($"""INSERT INTO "{Table}" ("FriendlyName", "Xml") VALUES ($1, $2)""");
        insert.Parameters.Add(new NpgsqlParameter { Value = friendlyName });
        insert.Parameters.Add(new NpgsqlParameter { Value = element.ToString(SaveOptions.DisableFormatting) });
        insert.ExecuteNonQuery();
    }

    public void Dispose() => dataSource.Dispose();
}
