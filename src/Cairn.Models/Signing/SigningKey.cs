using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Cairn.Models.Signing;

/// <summary>A private key that signs model packages: Ed25519 or ECDSA P-256, kept in a PKCS#8 PEM file.</summary>
public sealed class SigningKey
{
    private readonly byte[] _pkcs8;

    /// <summary>The key's public half, which verifiers trust.</summary>
    public VerificationKey PublicKey { get; }
    /// <summary><see cref="SigningAlgorithms.Ed25519"/> or <see cref="SigningAlgorithms.EcdsaP256"/>.</summary>
    public string Algorithm => PublicKey.Algorithm;
    /// <summary>The public key's id (hex SHA-256 of its SubjectPublicKeyInfo).</summary>
    public string KeyId => PublicKey.KeyId;

    private SigningKey(byte[] pkcs8, byte[] spki, string source)
    {
        _pkcs8 = pkcs8;
        PublicKey = VerificationKey.FromSubjectPublicKeyInfo(spki, source);
    }

    /// <summary>A new random key.</summary>
    /// <exception cref="CairnException">The algorithm is not one Cairn signs with.</exception>
    public static SigningKey Generate(string algorithm)
    {
        switch (algorithm)
        {
            case SigningAlgorithms.Ed25519:
                var generator = new Ed25519KeyPairGenerator();
                generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
                var pair = generator.GenerateKeyPair();
                return new SigningKey(PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private).GetDerEncoded(),
                    SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pair.Public).GetDerEncoded(), "the new key");
            case SigningAlgorithms.EcdsaP256:
                using (var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256))
                    return new SigningKey(ecdsa.ExportPkcs8PrivateKey(), ecdsa.ExportSubjectPublicKeyInfo(), "the new key");
            default:
                throw CairnException.InvalidParameter($"Unknown signing algorithm '{algorithm}': use {string.Join(" or ", SigningAlgorithms.All)}.");
        }
    }

    /// <summary>Reads a PKCS#8 PEM private key file.</summary>
    /// <exception cref="CairnException">The file is missing, not PEM, not a private key, or of an unsupported algorithm.</exception>
    public static SigningKey Load(string path)
    {
        if (!File.Exists(path)) throw CairnException.InvalidParameter($"The key file '{path}' does not exist. Make one with: cairn models keygen --out {path}");
        return FromPem(File.ReadAllText(path), $"'{path}'");
    }

    /// <summary>A key from PEM text holding a PKCS#8 PRIVATE KEY block.</summary>
    /// <exception cref="CairnException">The text is not such a block, or the key's algorithm is not supported.</exception>
    public static SigningKey FromPem(string pem, string source)
    {
        var (label, der) = PemKeys.Read(pem, source);
        if (label != "PRIVATE KEY")
            throw CairnException.InvalidParameter($"{source} holds a '{label}' PEM block; signing needs a PKCS#8 'PRIVATE KEY' block (as cairn models keygen writes).");
        var algorithm = PemKeys.AlgorithmOfPrivateKey(der, source);
        try
        {
            if (algorithm == SigningAlgorithms.Ed25519)
            {
                var key = (Ed25519PrivateKeyParameters)PrivateKeyFactory.CreateKey(der);
                return new SigningKey(der, SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(key.GeneratePublicKey()).GetDerEncoded(), source);
            }
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(der, out _);
            return new SigningKey(der, ecdsa.ExportSubjectPublicKeyInfo(), source);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or InvalidCastException or IOException)
        {
            throw CairnException.InvalidParameter($"{source} does not hold a valid {algorithm} private key: {e.Message}");
        }
    }

    /// <summary>Writes the private key to <paramref name="path"/> (readable by its owner only) and the public key beside it as <c>&lt;name&gt;.pub.pem</c>; returns the public key's path.</summary>
    /// <exception cref="CairnException">A file is already at either path (keys are never overwritten).</exception>
    public string Save(string path)
    {
        var publicPath = PublicPathOf(path);
        foreach (var target in new[] { path, publicPath })
            if (File.Exists(target)) throw CairnException.AlreadyExists($"'{target}' already exists; Cairn does not overwrite keys. Choose another --out.");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(path, options)) writer.Write(PemEncoding.WriteString("PRIVATE KEY", _pkcs8));
        File.WriteAllText(publicPath, PublicKey.ToPem());
        return publicPath;
    }

    /// <summary>Where <see cref="Save"/> puts the public key of a private key file: <c>key.pem</c> → <c>key.pub.pem</c>.</summary>
    public static string PublicPathOf(string path) =>
        path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) ? path[..^4] + ".pub.pem" : path + ".pub.pem";

    /// <summary>This key's signature over <paramref name="message"/> (Ed25519, or DER-encoded ECDSA over SHA-256).</summary>
    public byte[] Sign(byte[] message)
    {
        if (Algorithm == SigningAlgorithms.Ed25519)
        {
            var signer = new Ed25519Signer();
            signer.Init(true, PrivateKeyFactory.CreateKey(_pkcs8));
            signer.BlockUpdate(message, 0, message.Length);
            return signer.GenerateSignature();
        }
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(_pkcs8, out _);
        return ecdsa.SignData(message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}
