namespace Cairn.Security;

/// <summary>
/// Slows password guessing: after <see cref="PerUser"/> failed sign-ins for one user name, or
/// <see cref="PerAddress"/> from one client address, within <see cref="Window"/>, further tries
/// for it are refused until the window that began with the first failure ends. A successful
/// sign-in clears the user's count (not the address's, so one known password cannot reset a spray).
/// Memory is bounded: past <see cref="MaxTracked"/> names and addresses, ended windows are dropped
/// and, if that is not enough, everything is forgotten (which only lets a guesser start over).
/// </summary>
public sealed class SignInThrottle(TimeProvider time)
{
    /// <summary>Failures allowed per user name within the window.</summary>
    public int PerUser { get; init; } = 5;
    /// <summary>Failures allowed per client address within the window.</summary>
    public int PerAddress { get; init; } = 20;
    /// <summary>How long failures count, from the first one.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Most names and addresses remembered at once.</summary>
    public int MaxTracked { get; init; } = 10_000;

    private readonly Dictionary<string, (int Failures, DateTimeOffset Since)> _failures = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>How long until a sign-in for <paramref name="username"/> from <paramref name="address"/> may be tried; null when it may be now.</summary>
    public TimeSpan? RetryAfter(string username, string address)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var user = Blocked(UserKey(username), PerUser, now);
            var from = Blocked(AddressKey(address), PerAddress, now);
            return (user, from) switch
            {
                ({ } a, { } b) => a > b ? a : b,
                _ => user ?? from,
            };
        }
    }

    /// <summary>Counts a failed sign-in against the user name and the address.</summary>
    public void Failed(string username, string address)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_failures.Count >= MaxTracked) Prune(now);
            Count(UserKey(username), now);
            Count(AddressKey(address), now);
        }
    }

    /// <summary>Clears the user name's failures after a successful sign-in.</summary>
    public void Succeeded(string username)
    {
        lock (_lock) _failures.Remove(UserKey(username));
    }

    private static string UserKey(string username) => "u:" + (username.Length > 128 ? username[..128] : username);

    private static string AddressKey(string address) => "a:" + address;

    private TimeSpan? Blocked(string key, int limit, DateTimeOffset now) =>
        _failures.TryGetValue(key, out var entry) && entry.Failures >= limit && now - entry.Since < Window
            ? entry.Since + Window - now
            : null;

    private void Count(string key, DateTimeOffset now)
    {
        _failures[key] = _failures.TryGetValue(key, out var entry) && now - entry.Since < Window
            ? (entry.Failures + 1, entry.Since)
            : (1, now);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _failures)
            if (now - entry.Since >= Window) _failures.Remove(key);
        if (_failures.Count >= MaxTracked) _failures.Clear();
    }
}
