using System.Runtime.InteropServices;

namespace Cairn.Monitoring;

/// <summary>
/// A mergeable summary of one categorical column: the count of each value, up to <see cref="MaxDistinct"/> distinct
/// values; rows of further values are counted in <see cref="Other"/> (so memory is bounded whatever the cardinality).
/// Below the cap every statistic over it is exact.
/// </summary>
public sealed class CategoricalProfile
{
    public const int MaxDistinct = 2000;

    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Non-missing values seen, the <see cref="Other"/> rows included.</summary>
    public long Count { get; private set; }
    /// <summary>Rows whose value was not kept because <see cref="MaxDistinct"/> values already were.</summary>
    public long Other { get; private set; }
    public long Missing { get; private set; }
    public long TypeViolations { get; private set; }
    public long Rows => Count + Missing + TypeViolations;
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>Null counts as missing.</summary>
    public void AddStrings(ReadOnlySpan<string?> values)
    {
        long missing = 0;
        foreach (var value in values)
        {
            if (value is null) { missing++; continue; }
            AddCount(value, 1);
        }
        Missing += missing;
        Count += values.Length - missing;
    }

    public void AddString(string? value, long count = 1)
    {
        if (count <= 0) return;
        if (value is null) { Missing += count; return; }
        AddCount(value, count);
        Count += count;
    }

    public void AddMissing(long count) => Missing += count;

    public void AddTypeViolations(long count) => TypeViolations += count;

    /// <summary>Adds another profile's counts: the result is the profile of both chunks of rows (exactly so while under the cap).</summary>
    public void Merge(CategoricalProfile other)
    {
        if (ReferenceEquals(this, other)) throw new ArgumentException("A profile cannot be merged into itself; merge a copy.", nameof(other));
        foreach (var (value, count) in other._counts) AddCount(value, count);
        Other += other.Other;
        Count += other.Count;
        Missing += other.Missing;
        TypeViolations += other.TypeViolations;
    }

    internal void Restore(long count, long other, long missing, long typeViolations, IReadOnlyDictionary<string, long> counts)
    {
        foreach (var (value, n) in counts) _counts[value] = n;
        Count = count;
        Other = other;
        Missing = missing;
        TypeViolations = typeViolations;
    }

    private void AddCount(string value, long count)
    {
        if (_counts.Count >= MaxDistinct)
        {
            ref var existing = ref CollectionsMarshal.GetValueRefOrNullRef(_counts, value);
            if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref existing)) Other += count;
            else existing += count;
            return;
        }
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, value, out _);
        slot += count;
    }
}
