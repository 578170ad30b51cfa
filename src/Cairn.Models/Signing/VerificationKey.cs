using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Cairn.Models.Signing;

/// <summary>A public key that checks model package signatures, identified by the hex SHA-256 of its SubjectPublicKeyInfo.</summary>
public sealed class VerificationKey
{
    /// <summary><see cref="SigningAlgorithms.Ed25519"/> or <see cref="SigningAlgorithms.EcdsaP256"/>.</summary>
    public string Algorithm { get; }
    /// <summary>The key's id: hex SHA-256 of its SubjectPublicKeyInfo DER.</summary>
    public string KeyId { get; }
    /// <summary>The key's SubjectPublicKeyInfo DER.</summary>
    public byte[] SubjectPublicKeyInfo { get; }

    private VerificationKey(string algorithm, byte[] spki)
    {
        Algorithm = algorithm;
        SubjectPublicKeyInfo = spki;
        KeyId = PemKeys.KeyIdOf(spki);
    }

    /// <summary>A key from its SubjectPublicKeyInfo DER.</summary>
    /// <exception cref="CairnException">The bytes are not a public key of a supported algorithm.</exception>
    public static VerificationKey FromSubjectPublicKeyInfo(byte[] spki, string source)
    {
        var algorithm = PemKeys.AlgorithmOfPublicKey(spki, source);
        try
        {
            // Import once here, so a damaged key is refused when read rather than when a signature is checked.
            if (algorithm == SigningAlgorithms.Ed25519) _ = (Ed25519PublicKeyParameters)PublicKeyFactory.CreateKey(spki);
            else
            {
                using var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or InvalidCastException or IOException or InvalidOperationException)
        {
            throw CairnException.InvalidParameter($"{source} does not hold a valid {algorithm} public key: {e.Message}");
        }
        return new VerificationKey(algorithm, spki);
    }

    /// <summary>A key from PEM text: a PUBLIC KEY block, or a PRIVATE KEY block whose public half is taken.</summary>
    /// <param name="pem">The file's text.</param>
    /// <param name="source">What to call the text in messages (its file name).</param>
    /// <exception cref="CairnException">The text is not a PEM key of a supported algorithm.</exception>
    public static VerificationKey FromPem(string pem, string source)
    {
        var (label, der) = PemKeys.Read(pem, source);
        return label switch
        {
            "PUBLIC KEY" => FromSubjectPublicKeyInfo(der, source),
            "PRIVATE KEY" => SigningKey.FromPem(pem, source).PublicKey,
            _ => throw CairnException.InvalidParameter($"{source} holds a '{label}' PEM block; a trusted key is a 'PUBLIC KEY' block (as cairn models keygen writes to key.pub.pem)."),
        };
    }

    /// <summary>The key as a PEM PUBLIC KEY block.</summary>
    public string ToPem() => PemEncoding.WriteString("PUBLIC KEY", SubjectPublicKeyInfo);

    /// <summary>Whether <paramref name="signature"/> is this key's signature over <paramref name="message"/>; a malformed signature is simply not valid.</summary>
    public bool Verify(byte[] message, byte[] signature)
    {
        if (Algorithm == SigningAlgorithms.Ed25519)
        {
            var verifier = new Ed25519Signer();
            verifier.Init(false, (Ed25519PublicKeyParameters)PublicKeyFactory.CreateKey(SubjectPublicKeyInfo));
            verifier.BlockUpdate(message, 0, message.Length);
            return verifier.VerifySignature(signature);
        }
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo, out _);
        return ecdsa.VerifyData(message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}
