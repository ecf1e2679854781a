using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace Notejam.Contracts;

/// <summary>
/// A WebAuthn ceremony begun by the API: <see cref="Options"/> go to the browser's <c>navigator.credentials</c> as they are
/// (PublicKeyCredentialCreationOptions or RequestOptions in their JSON form); <see cref="Ceremony"/> comes back with the
/// browser's answer. A ceremony is good once, for a few minutes.
/// </summary>
public sealed record PasskeyOptionsResponse(string Ceremony, JsonElement Options);

/// <summary>
/// The browser's new credential (PublicKeyCredential.toJSON()) for the ceremony that asked for it, and its name. It is
/// confirmed as the account's owner would: with the password, or (an account without one) with one of its passkeys, so a
/// stolen session cannot plant a passkey of its own.
/// </summary>
public sealed record AddPasskeyRequest(
    [property: Required, StringLength(PasskeyLimits.CeremonyLength)] string Ceremony,
    [property: PublicKeyCredentialJson] JsonElement Credential,
    [property: StringLength(PasskeyLimits.NameMaxLength)] string? Name,
    string? Password = null,
    PasskeyAssertionRequest? Confirmation = null);

/// <summary>The browser's assertion (PublicKeyCredential.toJSON()) for the ceremony that asked for it.</summary>
public sealed record PasskeyAssertionRequest(
    [property: Required, StringLength(PasskeyLimits.CeremonyLength)] string Ceremony,
    [property: PublicKeyCredentialJson] JsonElement Credential);

public sealed record RenamePasskeyRequest([property: Required, StringLength(PasskeyLimits.NameMaxLength)] string Name);

/// <summary>One of my passkeys; <see cref="Id"/> is its credential id in base64url.</summary>
public sealed record PasskeyResponse(string Id, string Name, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt);

/// <summary>My passkeys, oldest first, and whether the account also has a password.</summary>
public sealed record PasskeysResponse(IReadOnlyList<PasskeyResponse> Passkeys, bool HasPassword);

public sealed record RemovePasswordRequest([property: Required] string Password);

public static class PasskeyLimits
{
    /// <summary>A ceremony's id: 32 random bytes in base64url.</summary>
    public const int CeremonyLength = 43;

    public const int NameMaxLength = 100;

    /// <summary>Passkeys one account may hold.</summary>
    public const int PerAccount = 20;

    /// <summary>The largest credential id WebAuthn allows is 1023 bytes: 1364 characters of base64url.</summary>
    public const int IdMaxLength = 1364;

    /// <summary>The name a passkey gets when none is given.</summary>
    public const string DefaultName = "Passkey";
}

/// <summary>
/// A PublicKeyCredential in its JSON form (WebAuthn Level 3, PublicKeyCredential.toJSON()): an object with a string id and
/// type and an object response. What is inside is Identity's to check.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class PublicKeyCredentialJsonAttribute() : ValidationAttribute("The {0} field must be a passkey credential in its JSON form.")
{
    public override bool IsValid(object? value) => value is JsonElement { ValueKind: JsonValueKind.Object } credential
        && credential.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
        && credential.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && credential.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object;
}
