using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Notejam.Api.Data;
using Notejam.Api.Users;

namespace Notejam.Tests.Infrastructure;

/// <summary>
/// Notejam.Api on Kestrel (real HTTP on a loopback port) against a fresh PostgreSQL database,
/// migrated the way the AppHost's migration step does it. Mail is captured instead of sent.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<NotejamDb>, IAsyncLifetime
{
    public const string WebUrl = "http://notejam.test/";

    // Test-only secrets (not used anywhere else), one per service as in a deployment.
    public const string KeyEncryptionKey = "test-api-key-encryption-key-0123456789abcdef";
    public const string WebKeyEncryptionKey = "test-web-key-encryption-key-0123456789abcdef";

    private TestPostgres? _postgres;

    public string ConnectionString { get; private set; } = "";

    public CapturedMail Mail { get; } = new();

    /// <summary>
    /// The web's own database and role beside this API's (a role per test database, as roles are the whole server's),
    /// made on first use by the code `migrate` runs.
    /// </summary>
    public Task<string> WebKeyRingAsync() => _webKeyRing ??= ProvisionWebKeyRingAsync();

    private Task<string>? _webKeyRing;

    private async Task<string> ProvisionWebKeyRingAsync()
    {
        var notes = new NpgsqlConnectionStringBuilder(ConnectionString);
        var web = new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Database = $"{notes.Database}_web",
            Username = $"{notes.Database}_web",
            Password = $"test-web-{Guid.NewGuid():N}",
        }.ConnectionString;
        await WebKeyRingDatabase.ProvisionAsync(ConnectionString, web, NullLogger.Instance);
        return web;
    }

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.Shared;
        ConnectionString = await _postgres.CreateDatabaseAsync();
        UseKestrel(0);
        StartServer();
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<NotejamDb>().Database.MigrateAsync();
    }

    /// <summary>A second API process on the same database, as another replica would be.</summary>
    public WebApplicationFactory<NotejamDb> AnotherReplica(Action<IWebHostBuilder>? configure = null)
    {
        var replica = WithWebHostBuilder(builder => configure?.Invoke(builder));
        replica.UseKestrel(0);
        replica.StartServer();
        return replica;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:notejam", ConnectionString);
        builder.UseSetting("Notejam:WebUrl", WebUrl);
        // Production refuses to keep its key ring unencrypted; every api replica of a test shares this one.
        builder.UseSetting(KeyRingEncryption.KeyEncryptionKeySetting, KeyEncryptionKey);
        // Every test person signs up and in from 127.0.0.1, which these hosts exempt (as Development does); the limits are
        // tested with the addresses a test forwards as the web or an ingress would.
        builder.UseSetting("Notejam:Limits:ExemptLoopback", "true");
        builder.UseSetting("Notejam:TrustedProxyNetworks", "127.0.0.0/8,::1/128");
        // Disposing a test server need not wait for load balancers; GracefulShutdownTests sets its own delay.
        builder.UseSetting("Notejam:ShutdownDelay", "00:00:00");
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<IEmailSender<User>>();
            services.AddSingleton<IEmailSender<User>>(Mail);
        });
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_postgres is not null)
        {
            if (_webKeyRing is not null)
            {
                await _postgres.DropWebKeyRingAsync(await _webKeyRing);
            }

            await _postgres.DropDatabaseAsync(ConnectionString);
        }
    }
}

/// <summary>The reset links the API would have mailed, by address.</summary>
public sealed class CapturedMail : IEmailSender<User>
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _resetLinks = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> ResetLinksTo(string email) =>
        _resetLinks.TryGetValue(email, out var links) ? [.. links] : [];

    public Task SendPasswordResetLinkAsync(User user, string email, string resetLink)
    {
        _resetLinks.GetOrAdd(email, _ => new()).Enqueue(resetLink);
        return Task.CompletedTask;
    }

    public Task SendConfirmationLinkAsync(User user, string email, string confirmationLink) => Task.CompletedTask;

    public Task SendPasswordResetCodeAsync(User user, string email, string resetCode) => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class ApiTests : ICollectionFixture<ApiFactory>
{
    public const string Name = "Notejam.Api on PostgreSQL";
}
