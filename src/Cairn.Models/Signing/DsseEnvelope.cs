using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.Models.Signing;

/// <summary>One signature of a DSSE envelope: the signer's key id and the signature bytes.</summary>
public sealed record DsseSignature(string KeyId, byte[] Sig);

/// <summary>
/// A Dead Simple Signing Envelope (github.com/secure-systems-lab/dsse, v1): a typed payload and
/// signatures over its pre-authentication encoding, so a payload cannot be reread as another type.
/// </summary>
public sealed record DsseEnvelope(string PayloadType, byte[] Payload, IReadOnlyList<DsseSignature> Signatures)
{
    /// <summary>
    /// The bytes a signature covers: <c>"DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload</c>,
    /// lengths as ASCII decimal byte counts.
    /// </summary>
    public static byte[] PreAuthenticationEncoding(string payloadType, byte[] payload)
    {
        var type = Encoding.UTF8.GetBytes(payloadType);
        var header = Encoding.ASCII.GetBytes($"DSSEv1 {type.Length} ");
        var middle = Encoding.ASCII.GetBytes($" {payload.Length} ");
        return [.. header, .. type, .. middle, .. payload];
    }

    /// <summary>A new envelope with <paramref name="key"/>'s signature over the payload.</summary>
    public static DsseEnvelope Sign(string payloadType, byte[] payload, SigningKey key) =>
        new(payloadType, payload, [new DsseSignature(key.KeyId, key.Sign(PreAuthenticationEncoding(payloadType, payload)))]);

    /// <summary>Whether <paramref name="signature"/> verifies under <paramref name="key"/> for this envelope's payload.</summary>
    public bool Verifies(DsseSignature signature, VerificationKey key) => key.Verify(PreAuthenticationEncoding(PayloadType, Payload), signature.Sig);

    /// <summary>The envelope as DSSE's JSON (<c>payloadType</c>, base64 <c>payload</c>, <c>signatures[{keyid, sig}]</c>).</summary>
    public string ToJson() => new JsonObject
    {
        ["payloadType"] = PayloadType,
        ["payload"] = Convert.ToBase64String(Payload),
        ["signatures"] = new JsonArray(Signatures.Select(s => (JsonNode)new JsonObject { ["keyid"] = s.KeyId, ["sig"] = Convert.ToBase64String(s.Sig) }).ToArray()),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Reads DSSE's JSON.</summary>
    /// <param name="json">The envelope's text.</param>
    /// <param name="source">What to call it in messages.</param>
    /// <exception cref="CairnException">The text is not a DSSE envelope.</exception>
    public static DsseEnvelope Parse(string json, string source)
    {
        try
        {
            var root = JsonNode.Parse(json) as JsonObject ?? throw Malformed(source, "it is not a JSON object");
            var type = Text(root, "payloadType", source);
            var payload = Convert.FromBase64String(Text(root, "payload", source));
            if (root["signatures"] is not JsonArray { Count: > 0 } signatures) throw Malformed(source, "it has no signatures");
            return new DsseEnvelope(type, payload, signatures.Select(s => s is JsonObject o
                ? new DsseSignature(o["keyid"] is JsonValue id && id.TryGetValue<string>(out var keyId) ? keyId : "", Convert.FromBase64String(Text(o, "sig", source)))
                : throw Malformed(source, "a signature is not a JSON object")).ToList());
        }
        catch (JsonException e)
        {
            throw Malformed(source, e.Message);
        }
        catch (FormatException)
        {
            throw Malformed(source, "its payload or a signature is not base64");
        }
    }

    private static string Text(JsonObject node, string name, string source) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw Malformed(source, $"it has no '{name}' string");

    private static CairnException Malformed(string source, string why) => CairnException.InvalidState($"The signature envelope {source} is malformed: {why}.");
}
