using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Cairn.Models.Explain;

/// <summary>
/// A row that takes the inputs of a coalition from the explained row and every other input from a
/// background row, without copying either: KernelSHAP scores thousands of these per explained row.
/// </summary>
internal sealed class HybridRow(IReadOnlyList<string> features, IReadOnlyDictionary<string, int> indexOf,
    IReadOnlyDictionary<string, object?> explained, IReadOnlyDictionary<string, object?> background, bool[] coalition)
    : IReadOnlyDictionary<string, object?>
{
    public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value)
    {
        if (!indexOf.TryGetValue(key, out var i))
        {
            value = null;
            return false;
        }
        return (coalition[i] ? explained : background).TryGetValue(key, out value);
    }

    public bool ContainsKey(string key) => indexOf.ContainsKey(key);
    public IEnumerable<string> Keys => features;
    public IEnumerable<object?> Values => features.Select(f => this[f]);
    public int Count => features.Count;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
        features.Select(f => new KeyValuePair<string, object?>(f, this[f])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
