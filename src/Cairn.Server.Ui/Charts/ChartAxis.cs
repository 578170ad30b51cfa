namespace Cairn.Server.Ui.Charts;

/// <summary>
/// The x axis shared by every series of one chart, as a list of slots the chart draws evenly
/// spaced. When all series together have few distinct x values each one gets its own slot;
/// otherwise the x range is cut into equal buckets of two slots each, and a series keeps only
/// its minimum and maximum per bucket (in x order). That bounds what the browser draws to
/// <c>2 × buckets</c> points per series whatever the history's length, while spikes and dips
/// stay visible — averaging or picking every n-th point would hide them.
/// </summary>
public sealed class ChartAxis
{
    private readonly double[]? _exact;

    /// <summary>Slots on the axis; each series gives one value (or null) per slot.</summary>
    public int Slots { get; }
    public double Min { get; }
    public double Max { get; }
    public int Buckets => _exact is null ? Slots / 2 : Slots;
    public bool IsBucketed => _exact is null;

    private ChartAxis(double[]? exact, int slots, double min, double max)
    {
        _exact = exact;
        Slots = slots;
        Min = min;
        Max = max;
    }

    /// <summary>An axis for these series with at most <paramref name="maxSlots"/> slots.</summary>
    public static ChartAxis For(IEnumerable<IReadOnlyList<SeriesPoint>> series, int maxSlots = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSlots, 2);
        var distinct = new HashSet<double>();
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        var tooMany = false;
        foreach (var points in series)
        {
            foreach (var p in points)
            {
                if (!double.IsFinite(p.X)) continue;
                min = Math.Min(min, p.X);
                max = Math.Max(max, p.X);
                if (!tooMany && distinct.Add(p.X) && distinct.Count > maxSlots) tooMany = true;
            }
        }
        if (distinct.Count == 0) return new ChartAxis([], 0, 0, 0);
        if (!tooMany)
        {
            var exact = distinct.Order().ToArray();
            return new ChartAxis(exact, exact.Length, min, max);
        }
        return new ChartAxis(null, maxSlots / 2 * 2, min, max);
    }

    /// <summary>The x value where a slot starts (a bucket's lower edge for bucketed axes).</summary>
    public double XOf(int slot) => _exact is not null ? _exact[slot] : Min + (Max - Min) * (slot / 2) / Buckets;

    /// <summary>
    /// Where a slot is drawn along x: its own x on an exact axis; on a bucketed axis, the bucket's
    /// two slots (min and max, the earlier first) a quarter and three quarters across it.
    /// </summary>
    public double PositionOf(int slot) => _exact is not null
        ? _exact[slot]
        : Min + (Max - Min) * (slot / 2 + (slot % 2 == 0 ? 0.25 : 0.75)) / Buckets;

    /// <summary>
    /// Places a series on the axis: one value per slot, null where the series has no point.
    /// For a bucketed axis each bucket's two slots hold its min and max, the earlier first (a
    /// bucket of one point leaves the second slot null); for an exact axis the last point
    /// logged at an x wins, as MLflow shows the latest value of a repeated step.
    /// </summary>
    public double?[] Place(IReadOnlyList<SeriesPoint> points)
    {
        var values = new double?[Slots];
        if (_exact is not null)
        {
            foreach (var p in points)
            {
                var slot = Array.BinarySearch(_exact, p.X);
                if (slot >= 0 && double.IsFinite(p.Y)) values[slot] = p.Y;
            }
            return values;
        }
        var buckets = Buckets;
        var low = new SeriesPoint?[buckets];
        var high = new SeriesPoint?[buckets];
        var width = Max - Min;
        foreach (var p in points)
        {
            if (!double.IsFinite(p.X) || !double.IsFinite(p.Y)) continue;
            var bucket = width <= 0 ? 0 : (int)Math.Min(buckets - 1, Math.Floor((p.X - Min) / width * buckets));
            if (bucket < 0) continue;
            if (low[bucket] is not { } l || p.Y < l.Y) low[bucket] = p;
            if (high[bucket] is not { } h || p.Y > h.Y) high[bucket] = p;
        }
        for (var b = 0; b < buckets; b++)
        {
            if (low[b] is not { } l || high[b] is not { } h) continue;
            if (l == h)
            {
                values[2 * b] = l.Y;
                continue;
            }
            var (first, second) = l.X <= h.X ? (l, h) : (h, l);
            values[2 * b] = first.Y;
            values[2 * b + 1] = second.Y;
        }
        return values;
    }
}
