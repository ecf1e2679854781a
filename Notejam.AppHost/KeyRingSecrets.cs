namespace Notejam.AppHost;

internal static class KeyRingSecrets
{
    /// <summary>
    /// A secret parameter for DataProtection__KeyEncryptionKey: 48 letters and digits (about 280 bits), generated on
    /// the first run and persisted to the AppHost's user secrets; `Parameters:{name}` in configuration overrides it.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddKeyRingSecret(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);
}
