using System.Security.Cryptography;

namespace Cairn.Models.Signing;

/// <summary>An envelope as stored, with where it was read from (for messages).</summary>
public sealed record StoredEnvelope(string Source, DsseEnvelope Envelope);

/// <summary>
/// Checks a package's signatures against trusted keys: one trusted key's valid signature over a
/// statement naming this version and the SHA-256 of this package's <c>digests.json</c>. The files
/// themselves are then checked against <c>digests.json</c> by <see cref="ModelPackage.Open"/>.
/// </summary>
public static class PackageSignatureCheck
{
    /// <summary>The SHA-256 of a package's <c>digests.json</c>, as the statement records it.</summary>
    public static string DigestsSha256(byte[] digestsJson) => Convert.ToHexStringLower(SHA256.HashData(digestsJson));

    /// <summary>The id of the trusted key whose signature covers <paramref name="subject"/> with these digests.</summary>
    /// <param name="subject">The version's <c>models:/name/version</c> URI.</param>
    /// <param name="digestsJson">The bytes of the package's <c>digests.json</c>.</param>
    /// <param name="envelopes">The version's stored signature envelopes.</param>
    /// <param name="trusted">The keys whose signatures count.</param>
    /// <exception cref="CairnException">Unsigned, signed only by untrusted keys, a signature invalid, or a valid signature for other content.</exception>
    public static string Verify(string subject, byte[] digestsJson, IReadOnlyList<StoredEnvelope> envelopes, TrustedKeys trusted)
    {
        if (envelopes.Count == 0)
            throw CairnException.InvalidState($"{subject} is unsigned. Sign it with: cairn models sign {subject} --key KEY.pem");
        var untrusted = new List<string>();
        foreach (var (source, envelope) in envelopes)
        {
            foreach (var signature in envelope.Signatures)
            {
                if (trusted.Find(signature.KeyId) is not { } key)
                {
                    untrusted.Add(signature.KeyId);
                    continue;
                }
                if (envelope.PayloadType != ModelStatement.PayloadType || !envelope.Verifies(signature, key))
                    throw CairnException.InvalidState($"The signature of {subject} by trusted key {key.KeyId} is invalid ({source}): the envelope was altered after signing. Refusing the package.");
                var statement = ModelStatement.Parse(envelope.Payload, source);
                if (statement.Subject != subject)
                    throw CairnException.InvalidState($"The signature {source} by key {key.KeyId} was made for {statement.Subject}, not {subject}. Refusing the package.");
                var actual = DigestsSha256(digestsJson);
                if (!string.Equals(statement.DigestsSha256, actual, StringComparison.OrdinalIgnoreCase))
                    throw CairnException.InvalidState($"The package of {subject} does not match its signature: its {ModelPackage.DigestsFile} has SHA-256 {actual}, the signature by key {key.KeyId} covers {statement.DigestsSha256}. " +
                        "The package was changed after it was signed; refusing it.");
                return key.KeyId;
            }
        }
        var signers = untrusted.Distinct().Select(id => id.Length == 0 ? "(no key id)" : Printable(id));
        throw CairnException.InvalidState($"{subject} is signed only by keys that are not trusted: {string.Join(", ", signers)}. " +
            $"Trusted key ids: {(trusted.KeyIds.Count == 0 ? "none" : string.Join(", ", trusted.KeyIds))}. Add the signer's key.pub.pem to --trusted-keys if you trust it.");
    }

    /// <summary>A key id from an envelope as it can be printed: control characters and overlong ids are not echoed as they are.</summary>
    private static string Printable(string id)
    {
        var shown = new string(id.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return id.Length > 80 ? shown + "..." : shown;
    }
}
