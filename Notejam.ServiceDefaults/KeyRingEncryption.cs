using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The data-protection key ring of a service, its keys encrypted at rest with AES-256-GCM under a key derived from
/// the setting <c>DataProtection:KeyEncryptionKey</c>, so that reading the database or a backup does not give away
/// the keys that protect cookies and tokens. Each service has its own application name and its own secret.
/// </summary>
public static class KeyRingEncryption
{
    public const string KeyEncryptionKeySetting = "DataProtection:KeyEncryptionKey";

    // The name a deployment sets (environment variable, Kubernetes Secret, Key Vault reference).
    public const string KeyEncryptionKeyVariable = "DataProtection__KeyEncryptionKey";

    public const int MinimumSecretLength = 32;

    /// <summary>
    /// Data protection under <paramref name="applicationName"/>, its keys encrypted with this service's
    /// <c>DataProtection:KeyEncryptionKey</c>; chain where the keys are kept (PersistKeysToDbContext).
    /// </summary>
    public static IDataProtectionBuilder AddKeyRing(this IHostApplicationBuilder builder, string applicationName)
    {
        // A secret string, not ProtectKeysWithCertificate: the AppHost, Helm and Bicep can all generate a string once
        // and hand the same one to every replica; none of them can generate a certificate.
        var protection = new KeyRingProtection(applicationName, builder.Configuration[KeyEncryptionKeySetting]);
        builder.Services.AddSingleton(protection);
        // First of all hosted services, so it runs before data protection's own one loads (and perhaps renews) the ring.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, KeyRingCheck>());
        builder.Services.AddOptions<KeyManagementOptions>().Configure<KeyRingProtection>((options, keys) =>
        {
            if (keys.IsConfigured)
            {
                options.XmlEncryptor = new KeyRingXmlEncryptor(keys);
            }
        });

        return builder.Services.AddDataProtection().SetApplicationName(applicationName);
    }

    /// <summary>
    /// Replicas that start together on a ring with no usable key make its first key one at a time, under a PostgreSQL
    /// advisory lock taken on a connection from <paramref name="connect"/> (the database the ring is kept in). Without
    /// it each makes its own key, and a replica reloads its ring on an unknown key id only in its first two minutes
    /// (KeyRingProvider.AutoRefreshWindowEnd in dotnet/aspnetcore, issue 3975), then for up to a day refuses the
    /// cookies and tokens the other replicas issued.
    /// </summary>
    public static IDataProtectionBuilder CreateFirstKeyOnce(this IDataProtectionBuilder builder, Func<DbConnection> connect)
    {
        builder.Services.AddSingleton(new KeyRingFirstKeyLock(connect));
        return builder;
    }
}

/// <summary>Where <see cref="KeyRingCheck"/> takes the lock under which the first key of a ring is made.</summary>
public sealed class KeyRingFirstKeyLock(Func<DbConnection> connect)
{
    internal DbConnection Connect() => connect();
}

/// <summary>The key-encryption key of one service, derived with HKDF-SHA256 from its secret, or none.</summary>
public sealed class KeyRingProtection
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    // Binds every encrypted key to this scheme; a future scheme gets another label.
    private static readonly byte[] AssociatedData = "Notejam data-protection key ring v1"u8.ToArray();

    private readonly byte[]? _key;

    private volatile bool _decryptionFailed;

    public KeyRingProtection(string applicationName, string? secret)
    {
        ApplicationName = applicationName;
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        if (secret.Length < KeyRingEncryption.MinimumSecretLength)
        {
            throw new InvalidOperationException(
                $"{KeyRingEncryption.KeyEncryptionKeyVariable} must be at least {KeyRingEncryption.MinimumSecretLength} characters long.");
        }

        // The application name in the derivation: one secret given to both services still yields two keys.
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32,
            salt: [], info: Encoding.UTF8.GetBytes($"Notejam key-encryption key|{applicationName}"));
    }

    public string ApplicationName { get; }

    public bool IsConfigured => _key is not null;

    internal bool DecryptionFailed => _decryptionFailed;

    // Once a key could not be decrypted, no new key is written: data protection would otherwise start a ring that the
    // replicas holding the right secret cannot read.
    internal void MarkDecryptionFailed() => _decryptionFailed = true;

    internal byte[] Encrypt(byte[] plaintext)
    {
        if (_decryptionFailed)
        {
            throw new InvalidOperationException(
                $"{ApplicationName} could not decrypt a key of its ring; it writes no new key until restarted with the right {KeyRingEncryption.KeyEncryptionKeyVariable}.");
        }

        var sealedBytes = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key, TagSize);
        aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize, plaintext.Length),
            sealedBytes.AsSpan(NonceSize + plaintext.Length), AssociatedData);
        return sealedBytes;
    }

    internal byte[] Decrypt(byte[] sealedBytes)
    {
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The encrypted data-protection key is truncated.");
        }

        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(Key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, plaintext.Length),
            sealedBytes.AsSpan(NonceSize + plaintext.Length), plaintext, AssociatedData);
        return plaintext;
    }

    private byte[] Key => _key ?? throw new InvalidOperationException(
        $"A data-protection key of {ApplicationName} is encrypted, but {KeyRingEncryption.KeyEncryptionKeyVariable} is not set.");
}

/// <summary>Writes a key's secret part as AES-256-GCM ciphertext (nonce, ciphertext, tag; base64).</summary>
public sealed class KeyRingXmlEncryptor(KeyRingProtection protection) : IXmlEncryptor
{
    internal static readonly XName ElementName = XName.Get("encryptedKey", "urn:notejam:data-protection:v1");

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        try
        {
            var element = new XElement(ElementName,
                new XComment(" AES-256-GCM under DataProtection:KeyEncryptionKey (HKDF-SHA256). "),
                new XElement(ElementName.Namespace + "value", Convert.ToBase64String(protection.Encrypt(plaintext))));
            return new EncryptedXmlInfo(element, typeof(KeyRingXmlDecryptor));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

/// <summary>
/// Reads what <see cref="KeyRingXmlEncryptor"/> wrote. Data protection creates it by type name, passing the services.
/// A wrong key-encryption key throws (the GCM tag does not match); <see cref="KeyRingCheck"/> makes that stop the start.
/// </summary>
public sealed partial class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    [LoggerMessage(Level = LogLevel.Critical,
        Message = "A data-protection key of {Application} cannot be decrypted with DataProtection:KeyEncryptionKey; stopping.")]
    private static partial void LogUndecryptable(ILogger logger, Exception exception, string application);

    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var protection = services?.GetService<KeyRingProtection>() ?? throw new InvalidOperationException(
            $"A data-protection key is encrypted with a key-encryption key, but this service has no {KeyRingEncryption.KeyEncryptionKeyVariable}.");
        var value = encryptedElement.Element(KeyRingXmlEncryptor.ElementName.Namespace + "value")?.Value
            ?? throw new CryptographicException("The encrypted data-protection key has no value.");
        byte[] plaintext;
        try
        {
            plaintext = protection.Decrypt(Convert.FromBase64String(value));
        }
        catch (CryptographicException exception)
        {
            // At run time data protection would log this and make a new ring; stop instead (the start then fails loudly).
            protection.MarkDecryptionFailed();
            var logger = services.GetService<ILogger<KeyRingXmlDecryptor>>();
            if (logger is not null)
            {
                LogUndecryptable(logger, exception, protection.ApplicationName);
            }

            services.GetService<IHostApplicationLifetime>()?.StopApplication();
            throw;
        }

        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}

/// <summary>
/// Runs before the service starts serving: refuses to start without a key-encryption key outside Development, and
/// when a key of the ring cannot be decrypted (a wrong key-encryption key), instead of letting data protection log
/// it and quietly start a new ring. Keys stored unencrypted before a key-encryption key was set are revoked, since
/// whoever reads the database could use them.
/// </summary>
internal sealed partial class KeyRingCheck(
    KeyRingProtection protection,
    IKeyManager keyManager,
    IOptions<KeyManagementOptions> keyManagement,
    IHostEnvironment environment,
    ILogger<KeyRingCheck> logger,
    KeyRingFirstKeyLock? firstKeyLock = null) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!protection.IsConfigured)
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException(
                    $"{KeyRingEncryption.KeyEncryptionKeyVariable} is not set: {protection.ApplicationName} will not keep its " +
                    $"data-protection keys unencrypted outside Development. Set it to a secret of at least " +
                    $"{KeyRingEncryption.MinimumSecretLength} characters, the same on every replica of this service.");
            }

            // Keys encrypted by an earlier run with the setting still stop the start below, rather than be replaced.
            LogUnencrypted(logger, protection.ApplicationName, KeyRingEncryption.KeyEncryptionKeySetting);
        }

        IReadOnlyCollection<IKey> keys;
        try
        {
            keys = keyManager.GetAllKeys();
        }
        catch (Exception exception) when (exception is InvalidOperationException || Unreachable(exception))
        {
            // The database is not there yet (an outage, or before the first migration): serve, unhealthy, as before; the
            // decryptor stops the service if a key turns out unreadable once it is.
            LogUnreadable(logger, exception, protection.ApplicationName);
            return Task.CompletedTask;
        }

        foreach (var key in keys.Where(key => !key.IsRevoked))
        {
            try
            {
                _ = key.Descriptor;
            }
            catch (Exception exception)
            {
                throw new InvalidOperationException(
                    $"The data-protection key {key.KeyId} of {protection.ApplicationName} cannot be decrypted: " +
                    $"{KeyRingEncryption.KeyEncryptionKeyVariable} is not set or not the secret the key ring was encrypted with. " +
                    "Refusing to start rather than make a new key ring that would sign everyone out.", exception);
            }
        }

        HashSet<Guid> revokedNow = [];
        if (protection.IsConfigured)
        {
            revokedNow = RevokeUnencryptedKeys(keys);
        }

        // From the keys read above, less the ones just revoked: no second read of the ring.
        if (firstKeyLock is not null && !keys.Any(key => UsableNow(key) && !revokedNow.Contains(key.KeyId)))
        {
            try
            {
                CreateFirstKey(firstKeyLock);
            }
            catch (Exception exception) when (Unreachable(exception))
            {
                LogUnreadable(logger, exception, protection.ApplicationName);
            }
        }

        return Task.CompletedTask;
    }

    private void CreateFirstKey(KeyRingFirstKeyLock firstKeyLock)
    {
        using var connection = firstKeyLock.Connect();
        connection.Open();
        // Two int4 keys: a key space apart from the migration's bigint lock. Released explicitly: a pooled connection
        // keeps its session, and with it the lock, after it is closed.
        Execute(connection, "SELECT pg_advisory_lock(hashtext('Notejam data-protection key ring'), hashtext(@name))");
        try
        {
            // The replica before this one in the queue has usually made it.
            if (!keyManager.GetAllKeys().Any(UsableNow))
            {
                var now = DateTimeOffset.UtcNow;
                var key = keyManager.CreateNewKey(now, now + keyManagement.Value.NewKeyLifetime);
                LogFirstKey(logger, key.KeyId, protection.ApplicationName);
            }
        }
        finally
        {
            Execute(connection, "SELECT pg_advisory_unlock(hashtext('Notejam data-protection key ring'), hashtext(@name))");
        }
    }

    private void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 30;
        var name = command.CreateParameter();
        name.ParameterName = "name";
        name.Value = protection.ApplicationName;
        command.Parameters.Add(name);
        command.ExecuteNonQuery();
    }

    private static bool UsableNow(IKey key)
    {
        var now = DateTimeOffset.UtcNow;
        return !key.IsRevoked && key.ActivationDate <= now && key.ExpirationDate > now;
    }

    /// <summary>Revokes the keys stored unencrypted; returns their ids.</summary>
    private HashSet<Guid> RevokeUnencryptedKeys(IReadOnlyCollection<IKey> keys)
    {
        if (keyManagement.Value.XmlRepository is not { } repository)
        {
            return [];
        }

        // The keys read above say which are revoked; only the stored XML says which were written unencrypted.
        var revoked = keys.Where(key => key.IsRevoked).Select(key => key.KeyId).ToHashSet();
        var unencrypted = repository.GetAllElements()
            .Where(element => element.Name == "key" && !element.Descendants().Any(e => e.Name.LocalName == "encryptedSecret"))
            .Select(element => (Guid?)element.Attribute("id"))
            .OfType<Guid>()
            .Where(id => !revoked.Contains(id))
            .ToHashSet();
        foreach (var id in unencrypted)
        {
            LogRevoking(logger, id, protection.ApplicationName);
            keyManager.RevokeKey(id, "Stored unencrypted before DataProtection:KeyEncryptionKey was set.");
        }

        return unencrypted;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // EF's retrying strategy wraps the database's own error (RetryLimitExceededException): look down the chain.
    private static bool Unreachable(Exception? exception) =>
        exception is not null && (exception is System.Data.Common.DbException or System.Net.Sockets.SocketException || Unreachable(exception.InnerException));

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "{Application}: {Setting} is not set, so data-protection keys are stored unencrypted (allowed in Development only).")]
    private static partial void LogUnencrypted(ILogger logger, string application, string setting);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Application}: made data-protection key {KeyId}, the ring's first usable one.")]
    private static partial void LogFirstKey(ILogger logger, Guid keyId, string application);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Application}: the data-protection key ring could not be read at start; not checked.")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string application);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Revoking data-protection key {KeyId} of {Application}: it was stored unencrypted; cookies and tokens it protected are no longer accepted.")]
    private static partial void LogRevoking(ILogger logger, Guid keyId, string application);
}
