namespace Cairn.Models.Signing;

/// <summary>The signature algorithms Cairn signs model packages with.</summary>
public static class SigningAlgorithms
{
    /// <summary>Ed25519 (RFC 8032).</summary>
    public const string Ed25519 = "ed25519";
    /// <summary>ECDSA over NIST P-256 with SHA-256, DER-encoded signatures.</summary>
    public const string EcdsaP256 = "ecdsa-p256";

    /// <summary>The accepted names, for messages.</summary>
    public static readonly IReadOnlyList<string> All = [Ed25519, EcdsaP256];
}
