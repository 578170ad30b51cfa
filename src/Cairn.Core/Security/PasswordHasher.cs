using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Security;

/// <summary>
/// Password hashes as OWASP's password storage guidance gives them for PBKDF2: HMAC-SHA256 with
/// 600,000 iterations and a 16-byte random salt, written as <c>pbkdf2-sha256$iterations$salt$hash</c>
/// so that a later, stronger setting can verify older hashes and tell they need rehashing.
/// </summary>
public sealed class PasswordHasher(int iterations = PasswordHasher.RecommendedIterations)
{
    /// <summary>OWASP's figure for PBKDF2-HMAC-SHA256.</summary>
    public const int RecommendedIterations = 600_000;
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    // A stored hash is trusted, but a corrupt one must not make one sign-in run for minutes.
    private const int MaxIterations = 10_000_000;

    /// <summary>
    /// What a user who signs in only through the identity provider (OIDC) has for a password hash:
    /// not in the hash format, so <see cref="Verify"/> never matches it and password sign-in refuses them.
    /// </summary>
    public const string NoPassword = "external-sign-in$no-password";

    /// <summary>The hasher with OWASP's iterations.</summary>
    public static PasswordHasher Default { get; } = new();

    // Verified against when a user does not exist, so that an unknown name costs as much as a wrong password.
    private readonly Lazy<string> _decoy = new(() => new PasswordHasher(iterations).Hash("decoy-password-never-matches"));

    /// <summary>A new salted hash of <paramref name="password"/>.</summary>
    public string Hash(string password)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>
    /// Whether <paramref name="password"/> matches <paramref name="stored"/> (compared in constant time).
    /// A null or malformed stored hash never matches, after the same work as a real one.
    /// </summary>
    public bool Verify(string password, string? stored)
    {
        if (!TryParse(stored, out var rounds, out var salt, out var expected))
        {
            TryParse(_decoy.Value, out rounds, out salt, out expected);
            Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, rounds, HashAlgorithmName.SHA256, HashBytes);
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, rounds, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Whether a hash that verified was made with fewer iterations than this hasher uses.</summary>
    public bool NeedsRehash(string stored) => !TryParse(stored, out var rounds, out _, out _) || rounds < iterations;

    private static bool TryParse(string? stored, out int iterations, out byte[] salt, out byte[] hash)
    {
        (iterations, salt, hash) = (0, [], []);
        var parts = stored?.Split('$');
        if (parts is not [Scheme, var rounds, var saltText, var hashText]) return false;
        if (!int.TryParse(rounds, NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations is < 1 or > MaxIterations) return false;
        try
        {
            (salt, hash) = (Convert.FromBase64String(saltText), Convert.FromBase64String(hashText));
        }
        catch (FormatException)
        {
            return false;
        }
        return salt.Length > 0 && hash.Length > 0;
    }
}
