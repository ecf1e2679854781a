using System.Buffers.Binary;
using System.Buffers.Text;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Notejam.Tests.Infrastructure;

/// <summary>
/// A WebAuthn authenticator in software, for the API's tests (the browser tests use Chromium's own virtual authenticator):
/// one ES256 credential, "none" attestation, answers in the JSON form of PublicKeyCredential.toJSON(). Written from the
/// W3C WebAuthn Level 3 specification (§6.1 authenticator data, §6.5 attestation objects, §5.8.1 client data, §8.7 "none"),
/// so that what Identity's PasskeyHandler accepts or refuses is checked against the standard, not against this project.
/// </summary>
public sealed class SoftAuthenticator : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(16);

    public string Id => Base64Url.EncodeToString(CredentialId);

    /// <summary>The user handle of the account the credential was made for.</summary>
    public byte[] UserHandle { get; private set; } = [];

    public uint SignCount { get; set; }

    /// <summary>
    /// Whether the authenticator counts its signatures. Synced passkeys (Apple's, Google's) always report 0, so a server
    /// cannot tell a replay by the count: what refuses it then is the challenge, used once.
    /// </summary>
    public bool CountsSignatures { get; init; } = true;

    /// <summary>navigator.credentials.create() for <paramref name="options"/> (PublicKeyCredentialCreationOptionsJSON).</summary>
    public JsonObject Create(JsonElement options, string origin, string? challenge = null)
    {
        var rpId = options.GetProperty("rp").GetProperty("id").GetString()!;
        UserHandle = Base64Url.DecodeFromChars(options.GetProperty("user").GetProperty("id").GetString()!);
        var clientData = ClientData("webauthn.create", challenge ?? options.GetProperty("challenge").GetString()!, origin);
        var p = _key.ExportParameters(false);
        var cose = new CborWriter();
        cose.WriteStartMap(5);
        cose.WriteInt32(1); cose.WriteInt32(2);     // kty: EC2
        cose.WriteInt32(3); cose.WriteInt32(-7);    // alg: ES256
        cose.WriteInt32(-1); cose.WriteInt32(1);    // crv: P-256
        cose.WriteInt32(-2); cose.WriteByteString(p.Q.X!);
        cose.WriteInt32(-3); cose.WriteByteString(p.Q.Y!);
        cose.WriteEndMap();
        var attested = new byte[16 + 2 + CredentialId.Length];
        BinaryPrimitives.WriteUInt16BigEndian(attested.AsSpan(16), (ushort)CredentialId.Length);
        CredentialId.CopyTo(attested, 18);
        var authData = AuthenticatorData(rpId, flags: 0x45, [.. attested, .. cose.Encode()]);
        var attestation = new CborWriter();
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt"); attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt"); attestation.WriteStartMap(0); attestation.WriteEndMap();
        attestation.WriteTextString("authData"); attestation.WriteByteString(authData);
        attestation.WriteEndMap();
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
            ["attestationObject"] = Base64Url.EncodeToString(attestation.Encode()),
            ["transports"] = new JsonArray("internal"),
        });
    }

    /// <summary>navigator.credentials.get() for <paramref name="options"/> (PublicKeyCredentialRequestOptionsJSON).</summary>
    public JsonObject Get(JsonElement options, string origin, string? rpId = null)
    {
        rpId ??= options.GetProperty("rpId").GetString()!;
        var clientData = ClientData("webauthn.get", options.GetProperty("challenge").GetString()!, origin);
        var authData = AuthenticatorData(rpId, flags: 0x05, []);
        var signature = _key.SignData([.. authData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence);
        return Credential(new JsonObject
        {
            ["clientDataJSON"] = Base64Url.EncodeToString(clientData),
            ["authenticatorData"] = Base64Url.EncodeToString(authData),
            ["signature"] = Base64Url.EncodeToString(signature),
            ["userHandle"] = Base64Url.EncodeToString(UserHandle),
        });
    }

    public void Dispose() => _key.Dispose();

    private byte[] AuthenticatorData(string rpId, byte flags, byte[] attestedCredentialData)
    {
        var count = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(count, CountsSignatures ? ++SignCount : 0);
        return [.. SHA256.HashData(Encoding.UTF8.GetBytes(rpId)), flags, .. count, .. attestedCredentialData];
    }

    private static byte[] ClientData(string type, string challenge, string origin) => Encoding.UTF8.GetBytes(
        new JsonObject { ["type"] = type, ["challenge"] = challenge, ["origin"] = origin, ["crossOrigin"] = false }.ToJsonString());

    private JsonObject Credential(JsonObject response) => new()
    {
        ["id"] = Id,
        ["rawId"] = Id,
        ["type"] = "public-key",
        ["response"] = response,
        ["clientExtensionResults"] = new JsonObject(),
        ["authenticatorAttachment"] = "platform",
    };
}
