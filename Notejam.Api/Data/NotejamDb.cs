using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;
using Notejam.Api.Limits;
using Notejam.Api.Notes;
using Notejam.Api.Pads;
using Notejam.Api.Sessions;
using Notejam.Api.Users;
using NpgsqlTypes;

namespace Notejam.Api.Data;

/// <summary>
/// Accounts with their sessions, pads, notes, the abuse counters and the data-protection key ring that every API replica
/// shares (and, apart, the table of the web's own key ring).
/// </summary>
public sealed class NotejamDb(DbContextOptions<NotejamDb> options)
    : IdentityUserContext<User, int>(options), IDataProtectionKeyContext
{
    // ICU's root collation sorts names as people read them ("apple" < "Banana"), on every PostgreSQL host.
    private const string NameCollation = "und-x-icu";

    /// <summary>The generated tsvector column of Notes that <see cref="NoteSearchApi"/> queries.</summary>
    public const string SearchVector = "SearchVector";

    public DbSet<Pad> Pads => Set<Pad>();

    public DbSet<Note> Notes => Set<Note>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<AbuseCounter> AbuseCounters => Set<AbuseCounter>();

    public DbSet<DataVersion> DataVersions => Set<DataVersion>();

    public DbSet<PadNoteCount> PadNoteCounts => Set<PadNoteCount>();

    public DbSet<NoteShare> NoteShares => Set<NoteShare>();

    public DbSet<NoteVersion> NoteVersions => Set<NoteVersion>();

    public DbSet<PasskeyCeremony> PasskeyCeremonies => Set<PasskeyCeremony>();

    /// <summary>When a passkey last signed someone in (a column beside Identity's own passkey data).</summary>
    public const string PasskeyLastUsedAt = "LastUsedAt";

    /// <summary>
    /// Identity's third schema, with its passkeys table (AspNetUserPasskeys). Identity reads it from the application's
    /// <see cref="IdentityOptions"/>: UsersSetup sets it, and <see cref="OnConfiguring"/> gives it to a context made without them.
    /// </summary>
    public static readonly Version IdentitySchema = IdentitySchemaVersions.Version3;

    private static readonly IServiceProvider IdentitySchemaOnly = new ServiceCollection()
        .Configure<IdentityOptions>(options => options.Stores.SchemaVersion = IdentitySchema)
        .BuildServiceProvider();

    /// <summary>
    /// A context made without the application's Identity options (`dotnet ef`, an export's own context) reads the same
    /// schema version: every NotejamDb has one model, the one the migrations describe.
    /// </summary>
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        var application = optionsBuilder.Options.FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider;
        if (application?.GetService<IOptions<IdentityOptions>>() is null)
        {
            optionsBuilder.UseApplicationServiceProvider(IdentitySchemaOnly);
        }
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Pad>(pad =>
        {
            pad.Property(p => p.Name).HasMaxLength(NotejamLimits.NameMaxLength).UseCollation(NameCollation);
            pad.HasOne<User>().WithMany().HasForeignKey(p => p.OwnerId).OnDelete(DeleteBehavior.Cascade);
            pad.HasIndex(p => new { p.OwnerId, p.Name, p.Id });
        });

        builder.Entity<Note>(note =>
        {
            note.Property(n => n.Name).HasMaxLength(NotejamLimits.NameMaxLength).UseCollation(NameCollation);
            note.Property(n => n.Text).HasMaxLength(NotejamLimits.TextMaxLength);
            note.HasOne<User>().WithMany().HasForeignKey(n => n.OwnerId).OnDelete(DeleteBehavior.Cascade);
            note.HasOne(n => n.Pad).WithMany(p => p.Notes).HasForeignKey(n => n.PadId).OnDelete(DeleteBehavior.Cascade);
            // One index per order of a list (NoteOrder), the id last as the order's tiebreak: a page is read off the index
            // in order, forwards or backwards, with no sort.
            note.HasIndex(n => new { n.OwnerId, n.UpdatedAt, n.Id });
            note.HasIndex(n => new { n.OwnerId, n.Name, n.Id });
            note.HasIndex(n => new { n.PadId, n.UpdatedAt, n.Id });
            note.HasIndex(n => new { n.PadId, n.Name, n.Id });
            // What search looks in: the name weighs more than the text. Kept by PostgreSQL itself on every insert and update.
            note.Property<NpgsqlTsVector>(SearchVector).HasComputedColumnSql(
                $"setweight(to_tsvector('{NoteSearch.Configuration}', \"Name\"), 'A') || " +
                $"setweight(to_tsvector('{NoteSearch.Configuration}', \"Text\"), 'B')",
                stored: true);
            note.HasIndex(SearchVector).HasMethod("GIN");
        });

        builder.Entity<Session>(session =>
        {
            session.HasOne<User>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
            session.HasIndex(s => s.UserId);
        });

        builder.Entity<AbuseCounter>(counter =>
        {
            counter.HasKey(c => c.Key);
            counter.HasIndex(c => c.WindowEnds);
        });

        builder.Entity<DataVersion>(version =>
        {
            version.HasKey(v => v.UserId);
            version.HasOne<User>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<PadNoteCount>(count =>
        {
            count.HasKey(c => c.PadId);
            count.HasOne<Pad>().WithOne().HasForeignKey<PadNoteCount>(c => c.PadId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<NoteShare>(share =>
        {
            share.HasKey(s => s.NoteId);
            share.HasOne<Note>().WithOne().HasForeignKey<NoteShare>(s => s.NoteId).OnDelete(DeleteBehavior.Cascade);
            share.HasOne<User>().WithMany().HasForeignKey(s => s.OwnerId).OnDelete(DeleteBehavior.Cascade);
            share.Property(s => s.Token).HasMaxLength(ShareTokens.Length);
            share.HasIndex(s => s.Token).IsUnique();
            share.HasIndex(s => s.OwnerId);
        });

        builder.Entity<NoteVersion>(version =>
        {
            version.Property(v => v.Name).HasMaxLength(NotejamLimits.NameMaxLength);
            version.Property(v => v.Text).HasMaxLength(NotejamLimits.TextMaxLength);
            version.HasOne(v => v.Note).WithMany().HasForeignKey(v => v.NoteId).OnDelete(DeleteBehavior.Cascade);
            version.HasOne<User>().WithMany().HasForeignKey(v => v.OwnerId).OnDelete(DeleteBehavior.Cascade);
            version.HasOne(v => v.Pad).WithMany().HasForeignKey(v => v.PadId).OnDelete(DeleteBehavior.SetNull);
            // A note's history, newest first, read off the index; the trim after a save finds what to drop the same way.
            version.HasIndex(v => new { v.NoteId, v.Id });
            version.HasIndex(v => v.OwnerId);
            version.HasIndex(v => v.PadId);
        });

        builder.Entity<IdentityUserPasskey<int>>().Property<DateTimeOffset?>(PasskeyLastUsedAt);

        builder.Entity<PasskeyCeremony>(ceremony =>
        {
            ceremony.Property(c => c.Id).HasMaxLength(PasskeyLimits.CeremonyLength);
            ceremony.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
            ceremony.HasIndex(c => c.ExpiresAt);
            ceremony.HasIndex(c => c.UserId);
        });

        builder.Entity<WebKeyRingEntry>().ToTable("WebDataProtectionKeys");
    }
}
