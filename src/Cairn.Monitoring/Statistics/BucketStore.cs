namespace Cairn.Monitoring;

/// <summary>Counts per bucket key in one dense array that grows to the range of keys seen.</summary>
internal sealed class BucketStore
{
    private long[] _counts = [];
    private int _offset;

    public bool IsEmpty => _counts.Length == 0;

    public void Add(int key, long count)
    {
        var index = key - _offset;
        if ((uint)index >= (uint)_counts.Length)
        {
            Grow(key);
            index = key - _offset;
        }
        _counts[index] += count;
    }

    private void Grow(int key)
    {
        if (_counts.Length == 0)
        {
            _counts = new long[64];
            _offset = key - 32;
            return;
        }
        var low = Math.Min(_offset, key);
        var high = Math.Max(_offset + _counts.Length - 1, key);
        // Grow by at least half again on the side that ran out, so a walk of rising values grows rarely.
        var extra = Math.Max(32, _counts.Length / 2);
        if (key < _offset) low -= extra; else high += extra;
        var grown = new long[high - low + 1];
        Array.Copy(_counts, 0, grown, _offset - low, _counts.Length);
        _counts = grown;
        _offset = low;
    }

    public void AddAll(BucketStore other)
    {
        for (var i = 0; i < other._counts.Length; i++)
            if (other._counts[i] != 0) Add(other._offset + i, other._counts[i]);
    }

    /// <summary>Non-zero buckets, keys ascending.</summary>
    public void NonZero(List<int> keys, List<long> counts)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] == 0) continue;
            keys.Add(_offset + i);
            counts.Add(_counts[i]);
        }
    }
}
