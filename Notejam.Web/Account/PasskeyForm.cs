using System.Text.Json;

namespace Notejam.Web.Account;

/// <summary>
/// A passkey answer as the site's forms post it (wwwroot/js/passkeys.js fills two hidden fields): the ceremony the API
/// began, and the browser's credential as JSON (PublicKeyCredential.toJSON()). The site reads it only to pass it on.
/// </summary>
public static class PasskeyForm
{
    /// <summary>More than any credential's JSON (a 1023-byte id and an attestation); a larger field is refused unread.</summary>
    public const int CredentialMaxLength = 64 * 1024;

    /// <summary>The words a person sees when the answer could not be read, before the API is asked.</summary>
    public const string Unreadable = "The passkey's answer did not arrive. Try again.";

    private static JsonElement? Credential(string? json)
    {
        if (string.IsNullOrEmpty(json) || json.Length > CredentialMaxLength)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static PasskeyAssertionRequest? Assertion(string? ceremony, string? credential) =>
        !string.IsNullOrEmpty(ceremony) && ceremony.Length <= PasskeyLimits.CeremonyLength && Credential(credential) is { } json
            ? new PasskeyAssertionRequest(ceremony, json)
            : null;
}
