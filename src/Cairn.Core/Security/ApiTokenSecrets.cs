using System.Security.Cryptography;
using System.Text;

namespace Cairn.Security;

/// <summary>
/// API token secrets: 256 random bits, written <c>cairn_</c> + base64url so they are easy to spot
/// in a leaked file. Stored only as SHA-256: a secret this random needs no slow hash, and a lookup
/// by hash stays one indexed read per request.
/// </summary>
public static class ApiTokenSecrets
{
    /// <summary>What every secret starts with.</summary>
    public const string Prefix = "cairn_";

    /// <summary>A new secret and a short id to list and revoke it by.</summary>
    public static (string Id, string Secret) New() =>
        (Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), Prefix + Base64Url(RandomNumberGenerator.GetBytes(32)));

    /// <summary>The hash the store keeps and looks the secret up by (lowercase hex SHA-256).</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Whether the text has the shape of a Cairn token (a JWT or a password does not).</summary>
    public static bool Looks(string text) => text.StartsWith(Prefix, StringComparison.Ordinal) && text.Length == Prefix.Length + 43;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
