using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;

namespace Cairn.Models.Signing;

/// <summary>Reading PEM key files and telling their algorithm from the key's object identifier.</summary>
internal static class PemKeys
{
    public const string Ed25519Oid = "1.3.101.112";
    public const string EcPublicKeyOid = "1.2.840.10045.2.1";
    public const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>The first PEM block of <paramref name="text"/>: its label and DER bytes.</summary>
    /// <exception cref="CairnException">The text holds no PEM block.</exception>
    public static (string Label, byte[] Der) Read(string text, string source)
    {
        if (!PemEncoding.TryFind(text, out var fields))
            throw CairnException.InvalidParameter($"{source} is not a PEM key file (no -----BEGIN ...----- block). Make one with: cairn models keygen --out key.pem");
        var label = text[fields.Label].ToString();
        try
        {
            return (label, Convert.FromBase64String(text[fields.Base64Data].ToString()));
        }
        catch (FormatException)
        {
            throw CairnException.InvalidParameter($"{source} is not a valid PEM key file: its {label} block is not base64.");
        }
    }

    /// <summary>The algorithm a SubjectPublicKeyInfo names: <c>ed25519</c> or <c>ecdsa-p256</c>.</summary>
    public static string AlgorithmOfPublicKey(byte[] spki, string source)
    {
        var info = Parse(() => SubjectPublicKeyInfo.GetInstance(spki), source, "public key");
        return Algorithm(info.Algorithm, source);
    }

    /// <summary>The algorithm a PKCS#8 private key names: <c>ed25519</c> or <c>ecdsa-p256</c>.</summary>
    public static string AlgorithmOfPrivateKey(byte[] pkcs8, string source)
    {
        var info = Parse(() => PrivateKeyInfo.GetInstance(pkcs8), source, "private key");
        return Algorithm(info.PrivateKeyAlgorithm, source);
    }

    private static string Algorithm(AlgorithmIdentifier algorithm, string source)
    {
        var oid = algorithm.Algorithm.Id;
        if (oid == Ed25519Oid) return SigningAlgorithms.Ed25519;
        if (oid == EcPublicKeyOid && algorithm.Parameters?.ToString() == P256Oid) return SigningAlgorithms.EcdsaP256;
        throw CairnException.InvalidParameter($"{source} holds a key Cairn does not sign with ({oid}): use {SigningAlgorithms.Ed25519} or {SigningAlgorithms.EcdsaP256}.");
    }

    private static T Parse<T>(Func<T> parse, string source, string what)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or IOException or FormatException or InvalidOperationException)
        {
            throw CairnException.InvalidParameter($"{source} does not hold a valid {what}: {e.Message}");
        }
    }

    /// <summary>The hex SHA-256 of a SubjectPublicKeyInfo: the key's id in signatures and file names.</summary>
    public static string KeyIdOf(byte[] spki) => Convert.ToHexStringLower(SHA256.HashData(spki));
}
