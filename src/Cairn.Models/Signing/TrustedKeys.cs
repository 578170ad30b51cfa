namespace Cairn.Models.Signing;

/// <summary>The public keys whose signatures a verifier accepts, by key id.</summary>
public sealed class TrustedKeys
{
    private readonly Dictionary<string, VerificationKey> _byId;

    /// <summary>A set of trusted keys.</summary>
    public TrustedKeys(IEnumerable<VerificationKey> keys) =>
        _byId = keys.GroupBy(k => k.KeyId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>The trusted keys' ids.</summary>
    public IReadOnlyCollection<string> KeyIds => _byId.Keys;

    /// <summary>The trusted key with this id, or null.</summary>
    public VerificationKey? Find(string keyId) => _byId.GetValueOrDefault(keyId);

    /// <summary>
    /// The keys in a PEM file, or in every <c>*.pem</c> file of a folder (public keys; a private key
    /// file counts as its public half).
    /// </summary>
    /// <exception cref="CairnException">The path does not exist, a file is not a PEM key, or the folder holds no keys.</exception>
    public static TrustedKeys Load(string path)
    {
        string[] files = Directory.Exists(path) ? Directory.GetFiles(path, "*.pem").Order(StringComparer.Ordinal).ToArray()
            : File.Exists(path) ? [path]
            : throw CairnException.InvalidParameter($"--trusted-keys '{path}' is neither a file nor a folder.");
        if (files.Length == 0) throw CairnException.InvalidParameter($"--trusted-keys '{path}' holds no .pem files: copy the signers' key.pub.pem files there.");
        return new TrustedKeys(files.Select(f => VerificationKey.FromPem(File.ReadAllText(f), $"Trusted key file '{f}'")));
    }
}
