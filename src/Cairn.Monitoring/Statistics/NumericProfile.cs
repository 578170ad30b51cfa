using System.Runtime.InteropServices;

namespace Cairn.Monitoring;

/// <summary>
/// A mergeable summary of one numeric column: counts per <see cref="LogBuckets"/> bucket (positive and negative stores
/// and a zero bucket) and exact count, missing, type violations, min, max, mean and sum of squared deviations.
/// Memory is bounded by the range of magnitudes, not by the number of rows. NaN and ±∞ count as missing.
/// Up to <see cref="MaxDistinct"/> distinct values are also kept exactly, so a column of codes can be compared
/// as categories; past that the exact values are dropped.
/// </summary>
public sealed class NumericProfile
{
    public const int MaxDistinct = 2000;

    private readonly BucketStore _positive = new();
    private readonly BucketStore _negative = new();
    private long _zero;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;
    private double _mean;
    private double _m2;
    private Dictionary<double, long>? _distinct = [];

    /// <summary>Finite values seen.</summary>
    public long Count { get; private set; }
    public long Missing { get; private set; }
    /// <summary>Values of another type the caller met in this column (a string in a numeric column).</summary>
    public long TypeViolations { get; private set; }
    /// <summary>Every row this column saw: values, missing and type violations.</summary>
    public long Rows => Count + Missing + TypeViolations;
    public double Min => Count == 0 ? double.NaN : _min;
    public double Max => Count == 0 ? double.NaN : _max;
    public double Mean => Count == 0 ? double.NaN : _mean;
    /// <summary>Population standard deviation (ddof 0, as numpy's std).</summary>
    public double StandardDeviation => Count == 0 ? double.NaN : Math.Sqrt(Math.Max(0, _m2 / Count));
    internal double SumOfSquaredDeviations => _m2;
    internal long ZeroCount => _zero;
    /// <summary>The exact value counts while there are at most <see cref="MaxDistinct"/> distinct values; null past that.</summary>
    public IReadOnlyDictionary<double, long>? DistinctValues => _distinct;

    public void AddNumbers(ReadOnlySpan<double> values)
    {
        long count = 0;
        double sum = 0, min = _min, max = _max;
        foreach (var value in values)
        {
            if (!double.IsFinite(value)) continue;
            count++;
            sum += value;
            if (value < min) min = value;
            if (value > max) max = value;
            AddToBucket(value, 1);
        }
        Missing += values.Length - count;
        if (count == 0) return;
        var chunkMean = sum / count;
        double m2 = 0;
        foreach (var value in values)
        {
            if (!double.IsFinite(value)) continue;
            var d = value - chunkMean;
            m2 += d * d;
        }
        _min = min;
        _max = max;
        MergeMoments(count, chunkMean, m2);
        if (_distinct is not null) CountDistinct(values);
    }

    public void AddNumbers(ReadOnlySpan<double?> values)
    {
        // Nullable chunks are copied into a small buffer so the hot loop above serves both.
        Span<double> buffer = stackalloc double[256];
        for (var start = 0; start < values.Length; start += buffer.Length)
        {
            var length = Math.Min(buffer.Length, values.Length - start);
            for (var i = 0; i < length; i++) buffer[i] = values[start + i] ?? double.NaN;
            AddNumbers(buffer[..length]);
        }
    }

    public void AddNumber(double value) => AddNumbers(new ReadOnlySpan<double>(in value));

    /// <summary>The same value <paramref name="count"/> times.</summary>
    public void AddNumber(double value, long count)
    {
        if (count <= 0) return;
        if (!double.IsFinite(value)) { Missing += count; return; }
        _min = Math.Min(_min, value);
        _max = Math.Max(_max, value);
        AddToBucket(value, count);
        MergeMoments(count, value, 0);
        if (_distinct is not null) AddDistinct(value, count);
    }

    public void AddMissing(long count) => Missing += count;

    public void AddTypeViolations(long count) => TypeViolations += count;

    /// <summary>Adds another profile's counts: the result is the profile of both chunks of rows.</summary>
    public void Merge(NumericProfile other)
    {
        if (ReferenceEquals(this, other)) throw new ArgumentException("A profile cannot be merged into itself; merge a copy.", nameof(other));
        Missing += other.Missing;
        TypeViolations += other.TypeViolations;
        if (other.Count > 0)
        {
            _positive.AddAll(other._positive);
            _negative.AddAll(other._negative);
            _zero += other._zero;
            _min = Math.Min(_min, other._min);
            _max = Math.Max(_max, other._max);
            MergeMoments(other.Count, other._mean, other._m2);
        }
        if (_distinct is null || other._distinct is null) _distinct = null;
        else foreach (var (value, count) in other._distinct) AddDistinct(value, count);
    }

    /// <summary>Non-empty buckets in value order: their ordinals (<see cref="LogBuckets"/>) and counts.</summary>
    public (int[] Ordinals, long[] Counts) Buckets()
    {
        var keys = new List<int>();
        var counts = new List<long>();
        _negative.NonZero(keys, counts);
        var negatives = keys.Count;
        var ordinals = new List<int>(keys.Count + 1);
        var ordered = new List<long>(keys.Count + 1);
        for (var i = negatives - 1; i >= 0; i--)
        {
            ordinals.Add(LogBuckets.NegativeOrdinal(keys[i]));
            ordered.Add(counts[i]);
        }
        if (_zero > 0)
        {
            ordinals.Add(0);
            ordered.Add(_zero);
        }
        keys.Clear();
        counts.Clear();
        _positive.NonZero(keys, counts);
        for (var i = 0; i < keys.Count; i++)
        {
            ordinals.Add(LogBuckets.PositiveOrdinal(keys[i]));
            ordered.Add(counts[i]);
        }
        return (ordinals.ToArray(), ordered.ToArray());
    }

    internal void Restore(long count, long missing, long typeViolations, double min, double max, double mean, double m2,
        long zero, ReadOnlySpan<int> positiveKeys, ReadOnlySpan<long> positiveCounts, ReadOnlySpan<int> negativeKeys,
        ReadOnlySpan<long> negativeCounts, Dictionary<double, long>? distinct)
    {
        Count = count;
        Missing = missing;
        TypeViolations = typeViolations;
        if (count > 0) { _min = min; _max = max; }
        _mean = mean;
        _m2 = m2;
        _zero = zero;
        for (var i = 0; i < positiveKeys.Length; i++) _positive.Add(positiveKeys[i], positiveCounts[i]);
        for (var i = 0; i < negativeKeys.Length; i++) _negative.Add(negativeKeys[i], negativeCounts[i]);
        _distinct = distinct;
    }

    internal void StoreKeys(bool negative, List<int> keys, List<long> counts) => (negative ? _negative : _positive).NonZero(keys, counts);

    private void AddToBucket(double value, long count)
    {
        if (value > LogBuckets.ZeroThreshold) _positive.Add(LogBuckets.Key(value), count);
        else if (value < -LogBuckets.ZeroThreshold) _negative.Add(LogBuckets.Key(-value), count);
        else _zero += count;
    }

    // Chan et al.'s pairwise update: exact moments for merged chunks without the cancellation of a raw sum of squares.
    private void MergeMoments(long count, double mean, double m2)
    {
        var total = Count + count;
        var delta = mean - _mean;
        _mean += delta * count / total;
        _m2 += m2 + delta * delta * Count * count / total;
        Count = total;
    }

    private void CountDistinct(ReadOnlySpan<double> values)
    {
        foreach (var value in values)
        {
            if (!double.IsFinite(value)) continue;
            AddDistinct(value, 1);
            if (_distinct is null) return;
        }
    }

    private void AddDistinct(double value, long count)
    {
        if (_distinct is null) return;
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_distinct, value, out var existed);
        slot += count;
        if (!existed && _distinct.Count > MaxDistinct) _distinct = null;
    }
}
