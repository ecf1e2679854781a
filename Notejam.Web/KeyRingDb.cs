using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Notejam.Web;

/// <summary>
/// The data-protection key ring, shared by every web replica so that any of them reads the cookies and
/// antiforgery tokens another issued. The table is the one Notejam.Api's migrations create; the web keeps
/// no other data.
/// </summary>
public sealed class KeyRingDb(DbContextOptions<KeyRingDb> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
}
