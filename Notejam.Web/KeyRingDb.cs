using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Notejam.Web;

/// <summary>
/// The web's data-protection key ring, shared by every web replica so that any of them reads the cookies and
/// antiforgery tokens another issued. Its table is the web's own (WebDataProtectionKeys, created by Notejam.Api's
/// migrations), apart from the api's ring; the web keeps no other data.
/// </summary>
public sealed class KeyRingDb(DbContextOptions<KeyRingDb> options) : DbContext(options), IDataProtectionKeyContext
{
    public const string Table = "WebDataProtectionKeys";

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<DataProtectionKey>().ToTable(Table);
    }
}
