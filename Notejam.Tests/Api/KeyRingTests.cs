using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Notejam.Api.Data;
using Notejam.Tests.Infrastructure;
using Notejam.Web;
using Npgsql;

namespace Notejam.Tests.Api;

/// <summary>
/// The finding: both services kept their data-protection keys as plain XML in the notes database, one table for both,
/// so whoever read the database or a backup could forge cookies and tokens. Now each service encrypts its keys with its
/// own DataProtection:KeyEncryptionKey (AES-256-GCM) and the web keeps them in a table of its own.
/// </summary>
public sealed class KeyRingTests(SiteFactory site) : IClassFixture<SiteFactory>
{
    private const string WrongKey = "not-the-secret-this-key-ring-was-encrypted-with";

    [Fact]
    public void The_web_keeps_its_key_ring_without_EF_Core()
    {
        // The web loaded EF Core for this one table, 20 MB of its memory (docs/performance.md, "Memory"); the api keeps
        // the table's shape, EF Core's DataProtectionKey mapping, so rings written before read the same.
        var web = typeof(KeyRingStore).Assembly.GetReferencedAssemblies().Select(name => name.Name);
        Assert.DoesNotContain(web, name => name!.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Key_ring_is_not_plain_XML_in_the_database()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);

        var apiRows = await KeyRowsAsync(site.Api.ConnectionString, "DataProtectionKeys");
        var webRows = await KeyRowsAsync(site.WebKeyRing, KeyRingStore.Table);

        Assert.NotEmpty(apiRows);
        Assert.NotEmpty(webRows);
        foreach (var xml in apiRows.Concat(webRows).Where(xml => XElement.Parse(xml).Name == "key"))
        {
            Assert.DoesNotContain("masterKey", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("unencrypted", xml, StringComparison.Ordinal);
            var encrypted = XElement.Parse(xml).Descendants().Single(e => e.Name.LocalName == "encryptedSecret");
            Assert.Contains(nameof(KeyRingXmlDecryptor), encrypted.Attribute("decryptorType")!.Value, StringComparison.Ordinal);
        }

        // Each service's keys are in its own table, and only there.
        var apiKeys = KeyIds(site.Api.Services);
        var webKeys = KeyIds(site.Web.Services);
        Assert.Subset(IdsOf(apiRows), apiKeys);
        Assert.Subset(IdsOf(webRows), webKeys);
        Assert.Empty(apiKeys.Intersect(IdsOf(webRows)));
        Assert.Empty(webKeys.Intersect(IdsOf(apiRows)));
    }

    [Fact]
    public async Task A_replica_with_the_same_key_encryption_key_reads_the_cookies_and_tokens_of_another()
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        using var apiUser = await ApiUser.CreateAsync(site.Api);

        var web = site.StartWeb(ServerAddress.Of(site.Api));
        using var there = new SiteBrowser(ServerAddress.Of(web));
        foreach (Cookie cookie in user.Browser.Cookies.GetCookies(user.Browser.Site))
        {
            there.Cookies.Add(there.Site, new Cookie(cookie.Name, cookie.Value));
        }

        using var api = site.Api.AnotherReplica();
        using var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = apiUser.Http.DefaultRequestHeaders.Authorization;

        Assert.Equal(user.Email, (await there.GetAsync("/")).SignedInAs);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/users/me")).StatusCode);
    }

    [Theory]
    [InlineData(WrongKey)]
    [InlineData(ApiFactory.WebKeyEncryptionKey)] // the web's secret does not open the api's ring
    public async Task An_api_replica_with_a_wrong_key_encryption_key_refuses_to_start(string key)
    {
        using var user = await ApiUser.CreateAsync(site.Api);
        var rowsBefore = await KeyRowsAsync(site.Api.ConnectionString, "DataProtectionKeys");

        var refusal = new StartRefusal();
        refusal.Record(() => site.Api.AnotherReplica(
            builder => refusal.Watch(builder).UseSetting(KeyRingEncryption.KeyEncryptionKeySetting, key)));

        refusal.AssertSays("cannot be decrypted", KeyRingEncryption.KeyEncryptionKeyVariable);
        // Loudly, and without a new ring that the right replicas could not read.
        Assert.Equal(rowsBefore, await KeyRowsAsync(site.Api.ConnectionString, "DataProtectionKeys"));
    }

    [Theory]
    [InlineData(WrongKey)]
    [InlineData(ApiFactory.KeyEncryptionKey)] // the api's secret does not open the web's ring
    public async Task A_web_replica_with_a_wrong_key_encryption_key_refuses_to_start(string key)
    {
        using var user = await SiteUser.SignUpAndInAsync(site);
        var rowsBefore = await KeyRowsAsync(site.WebKeyRing, KeyRingStore.Table);
        var refusal = new StartRefusal();
        using var web = new WebFactory(site.WebKeyRing, ServerAddress.Of(site.Api),
            builder => refusal.Watch(builder).UseSetting(KeyRingEncryption.KeyEncryptionKeySetting, key));
        web.UseKestrel(0);

        refusal.Record(web.StartServer);

        refusal.AssertSays("cannot be decrypted", KeyRingEncryption.KeyEncryptionKeyVariable);
        Assert.Equal(rowsBefore, await KeyRowsAsync(site.WebKeyRing, KeyRingStore.Table));
    }

    [Fact]
    public void Production_without_a_key_encryption_key_refuses_to_start()
    {
        var (api, webRefusal) = (new StartRefusal(), new StartRefusal());
        using var web = new WebFactory(site.WebKeyRing, ServerAddress.Of(site.Api),
            builder => webRefusal.Watch(builder).UseSetting(KeyRingEncryption.KeyEncryptionKeySetting, ""));
        web.UseKestrel(0);

        api.Record(() => site.Api.AnotherReplica(
            builder => api.Watch(builder).UseSetting(KeyRingEncryption.KeyEncryptionKeySetting, "")));
        webRefusal.Record(web.StartServer);

        api.AssertSays("DataProtection__KeyEncryptionKey is not set", "Notejam.Api");
        webRefusal.AssertSays("DataProtection__KeyEncryptionKey is not set", "Notejam.Web");
    }

    [Fact]
    public async Task A_key_stored_unencrypted_before_the_key_encryption_key_was_set_is_revoked()
    {
        var api = new ApiFactory();
        await ((IAsyncLifetime)api).InitializeAsync();
        try
        {
            using var user = await ApiUser.CreateAsync(api);
            // What the api wrote before this change: a key in plain XML, in the same table.
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddDbContext<NotejamDb>(options => options.UseNpgsql(api.ConnectionString));
            services.AddDataProtection().SetApplicationName("Notejam.Api").PersistKeysToDbContext<NotejamDb>();
            Guid plain;
            await using (var before = services.BuildServiceProvider())
            {
                plain = before.GetRequiredService<IKeyManager>()
                    .CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90)).KeyId;
            }

            using var replica = api.AnotherReplica();

            var keys = replica.Services.GetRequiredService<IKeyManager>().GetAllKeys();
            Assert.True(keys.Single(k => k.KeyId == plain).IsRevoked);
            // The encrypted key the api made before stays in use.
            Assert.Contains(keys, k => !k.IsRevoked);
            using var http = replica.CreateClient();
            http.DefaultRequestHeaders.Authorization = user.Http.DefaultRequestHeaders.Authorization;
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/users/me")).StatusCode);
        }
        finally
        {
            await ((IAsyncLifetime)api).DisposeAsync();
        }
    }

    /// <summary>
    /// Replicas that start together on an empty ring each used to make a key of their own; and a replica reloads its ring
    /// for an unknown key id only in its first two minutes (KeyRingProvider.AutoRefreshWindowEnd, dotnet/aspnetcore
    /// issue 3975), so after that it refused, for up to a day, the tokens another replica had issued (seen once in
    /// FaultTests: every person signed out when one of two api replicas died).
    /// </summary>
    [Fact]
    public async Task Replicas_that_start_together_on_an_empty_ring_make_one_key_between_them()
    {
        var api = new ApiFactory();
        await ((IAsyncLifetime)api).InitializeAsync();
        var replicas = new List<WebApplicationFactory<NotejamDb>>();
        try
        {
            await using (var connection = new NpgsqlConnection(api.ConnectionString))
            {
                await connection.OpenAsync();
                await using var clear = new NpgsqlCommand("DELETE FROM \"DataProtectionKeys\"", connection);
                await clear.ExecuteNonQueryAsync();
            }

            replicas.AddRange(await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => api.AnotherReplica()))));

            var keys = IdsOf(await KeyRowsAsync(api.ConnectionString, "DataProtectionKeys"));
            Assert.Single(keys);
            Assert.All(replicas, replica => Assert.Equal(keys, KeyIds(replica.Services)));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }

            await ((IAsyncLifetime)api).DisposeAsync();
        }
    }


    private static HashSet<Guid> KeyIds(IServiceProvider services) =>
        [.. services.GetRequiredService<IKeyManager>().GetAllKeys().Select(k => k.KeyId)];

    private static HashSet<Guid> IdsOf(IEnumerable<string> rows) =>
        [.. rows.Select(XElement.Parse).Where(x => x.Name == "key").Select(x => (Guid)x.Attribute("id")!)];

    private static async Task<List<string>> KeyRowsAsync(string connectionString, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT \"Xml\" FROM \"{table}\" ORDER BY \"Id\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
