using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Notejam.Web;

/// <summary>
/// The web's data-protection key ring, shared by every web replica so that any of them reads the cookies and
/// antiforgery tokens another issued. It is the one thing the web keeps, in a database of its own reached as a role of
/// its own (<c>ConnectionStrings:webkeyring</c>): Notejam.Api's `migrate` makes the role, the database and this table
/// (Notejam.Api/Data/WebKeyRingDatabase.cs), and the web is never given the notes database's connection string.
/// </summary>
public sealed class KeyRingDb(DbContextOptions<KeyRingDb> options) : DbContext(options), IDataProtectionKeyContext
{
    public const string ConnectionName = "webkeyring";

    public const string Table = "WebDataProtectionKeys";

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>The web's own connection string; a start without one stops with a message that names it.</summary>
    public static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionName) is { Length: > 0 } connectionString
            ? connectionString
            : throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionName} is not set: the web keeps its data-protection key ring in a database of its " +
                "own, as a role of its own, made by the api's `migrate` (docs/deploy.md, \"The web's own database\").");

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<DataProtectionKey>().ToTable(Table);
    }
}
