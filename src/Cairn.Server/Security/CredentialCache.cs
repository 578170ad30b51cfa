using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Cairn.Security;

namespace Cairn.Server.Security;

/// <summary>
/// Credentials verified lately, keyed by an HMAC of the credential under a key made at start (so a
/// memory dump shows no secret and no offline-guessable hash), each for a short time. Bounded: when
/// full it starts over, which costs only fresh verifications.
/// </summary>
internal sealed class CredentialCache(TimeProvider time, TimeSpan lifetime)
{
    private const int MaxEntries = 10_000;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (UserAccount User, DateTimeOffset Until)> _entries = new(StringComparer.Ordinal);

    public string Key(string scheme, string credential) =>
        Convert.ToHexString(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(scheme + "\n" + credential)));

    public UserAccount? Get(string key) =>
        _entries.TryGetValue(key, out var entry) && entry.Until > time.GetUtcNow() ? entry.User : null;

    /// <summary>Remembers a verified credential for the cache's lifetime, or until <paramref name="notAfter"/> when that is sooner (a JWT's expiry).</summary>
    public void Add(string key, UserAccount user, DateTimeOffset? notAfter = null)
    {
        var until = time.GetUtcNow() + lifetime;
        if (notAfter < until) until = notAfter.Value;
        if (until <= time.GetUtcNow()) return;
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[key] = (user, until);
    }

    /// <summary>Forgets every credential of a user whose password, rights or existence changed.</summary>
    public void Forget(string username)
    {
        foreach (var (key, entry) in _entries)
            if (entry.User.Username == username) _entries.TryRemove(key, out _);
    }
}
