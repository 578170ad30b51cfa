using System.Text;

namespace Cairn.Deployments.Routing;

/// <summary>
/// Assigns requests to variants by weight. With a key (a user id header, the request id) the
/// choice is a hash of the key, so the same key always lands on the same variant, in every
/// process; without one it is random. Buckets are laid out in variant order, so a variant listed
/// first keeps the keys it had as its weight grows (a canary's users stay in the canary).
/// </summary>
public sealed class TrafficSplit
{
    /// <summary>Buckets of the hash space: weights are percents, so 100 per percent leaves room for finer splits.</summary>
    public const int Buckets = 10_000;

    private readonly string[] _variants;
    private readonly int[] _upper;
    private readonly string _salt;

    /// <param name="salt">Mixed into every hash (the endpoint and the experiment's start): a new experiment reshuffles users instead of carrying over the last one's groups.</param>
    public TrafficSplit(IEnumerable<(string Variant, int Weight)> weights, string salt)
    {
        var list = weights.Where(w => w.Weight > 0).ToList();
        if (list.Count == 0) throw CairnException.InvalidParameter("A traffic split needs a variant with a positive weight.");
        var total = list.Sum(w => w.Weight);
        _variants = list.Select(w => w.Variant).ToArray();
        _upper = new int[list.Count];
        var sum = 0;
        for (var i = 0; i < list.Count; i++)
        {
            sum += list[i].Weight;
            _upper[i] = (int)((long)sum * Buckets / total);
        }
        _salt = salt;
    }

    public IReadOnlyList<string> Variants => _variants;

    /// <summary>The variant for a key, or a random one when the key is null or empty.</summary>
    public string Pick(string? key) => _variants[IndexOf(key is { Length: > 0 } ? (int)(Hash(_salt, key) % Buckets) : Random.Shared.Next(Buckets))];

    private int IndexOf(int bucket)
    {
        for (var i = 0; i < _upper.Length; i++)
            if (bucket < _upper[i]) return i;
        return _upper.Length - 1;
    }

    /// <summary>FNV-1a over the UTF-8 bytes of salt and key, then a 64-bit finaliser: stable across processes and machines (unlike string.GetHashCode).</summary>
    public static ulong Hash(string salt, string key)
    {
        var hash = 14695981039346656037UL;
        Span<byte> buffer = stackalloc byte[256];
        foreach (var text in (ReadOnlySpan<string>)[salt, "\u0000", key])
        {
            var bytes = Encoding.UTF8.GetMaxByteCount(text.Length) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(text, buffer)] : Encoding.UTF8.GetBytes(text);
            foreach (var b in bytes)
            {
                hash ^= b;
                hash *= 1099511628211UL;
            }
        }
        // FNV's low bits are weak for short keys; mix them (the MurmurHash3 finaliser).
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }
}
