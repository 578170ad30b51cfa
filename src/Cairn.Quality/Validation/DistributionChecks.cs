using System.Globalization;
using Cairn.Quality.Tables;

namespace Cairn.Quality.Validation;

/// <summary>The newest timestamp against the clock; present values that are not timestamps fail it.</summary>
internal sealed class FreshnessCheck(FreshnessExpectation expectation, int column) : ExpectationCheck(expectation)
{
    private DateTimeOffset? _newest;
    private long _notTimestamps;
    private readonly List<string> _examples = [];

    public override IEnumerable<int> Fields => [column];

    public override void Observe(TableBatch batch)
    {
        var values = batch[column];
        for (var i = 0; i < batch.RowCount; i++)
        {
            if (values.IsMissing(i)) continue;
            if (!values.TryGetTimestamp(i, out var t))
            {
                if (_notTimestamps++ < 3) _examples.Add($"not a timestamp: {Quote(values.GetText(i))}");
                continue;
            }
            if (_newest is null || t > _newest) _newest = t;
        }
    }

    public override IEnumerable<CheckResult> Finish(long rows, DateTimeOffset now)
    {
        var expected = $"newest at most {Durations.Format(expectation.MaxAge)} old";
        if (_newest is not { } newest)
        {
            yield return Result($"freshness {expectation.Column}", expected, "no timestamps", false, _examples);
            yield break;
        }
        var age = now - newest;
        var observed = $"newest {newest.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z, " +
            (age < TimeSpan.Zero ? $"{Durations.Format(-age)} in the future" : $"{Durations.Format(age)} old");
        if (_notTimestamps > 0) observed += $"; {Count(_notTimestamps)} values are not timestamps";
        yield return Result($"freshness {expectation.Column}", expected, observed, age <= expectation.MaxAge && _notTimestamps == 0, _examples);
    }
}

/// <summary>Mean and sample standard deviation (Welford's update, stable over millions of values) or a quantile.</summary>
internal sealed class DistributionCheck(DistributionExpectation expectation, int column) : ExpectationCheck(expectation)
{
    private long _count, _notNumbers;
    private double _mean, _m2;
    private readonly QuantileSample? _sample = expectation.Statistic == Statistic.Quantile ? new QuantileSample() : null;
    private readonly List<string> _examples = [];

    public override IEnumerable<int> Fields => [column];

    public override void Observe(TableBatch batch)
    {
        var values = batch[column];
        for (var i = 0; i < batch.RowCount; i++)
        {
            if (values.IsMissing(i)) continue;
            if (!values.TryGetNumber(i, out var v) || double.IsInfinity(v))
            {
                if (_notNumbers++ < 3) _examples.Add($"not a finite number: {Quote(values.GetText(i))}");
                continue;
            }
            _count++;
            var delta = v - _mean;
            _mean += delta / _count;
            _m2 += delta * (v - _mean);
            _sample?.Add(v);
        }
    }

    public override IEnumerable<CheckResult> Finish(long rows, DateTimeOffset now)
    {
        var e = expectation;
        var name = e.Statistic == Statistic.Quantile ? $"quantile {e.Column} q={Expectation.Format(e.Quantile!.Value)}" : $"{e.Kind} {e.Column}";
        var needed = e.Statistic == Statistic.Stddev ? 2 : 1;
        if (_count < needed)
        {
            yield return Result(name, Expectation.Bounds(e.Min, e.Max), $"{Count(_count)} numbers, too few to compute it", false, _examples);
            yield break;
        }
        var value = e.Statistic switch
        {
            Statistic.Mean => _mean,
            Statistic.Stddev => Math.Sqrt(_m2 / (_count - 1)),
            _ => _sample!.Quantile(e.Quantile!.Value),
        };
        var observed = Expectation.Format(value);
        if (_sample is { IsSampled: true }) observed += $" (estimated from a uniform sample of {Count(_sample.Kept)} of {Count(_count)} values)";
        if (_notNumbers > 0) observed += $"; {Count(_notNumbers)} values are not finite numbers";
        yield return Result(name, Expectation.Bounds(e.Min, e.Max), observed, Expectation.Within(value, e.Min, e.Max) && _notNumbers == 0, _examples);
    }
}

/// <summary>
/// Values for a quantile: all of them up to <see cref="Capacity"/>, then a uniform reservoir sample
/// of that size (seeded, so a rerun gives the same answer). A million values keep the rank error of
/// a sampled quantile near 0.1% while memory stays at 8 MB.
/// </summary>
internal sealed class QuantileSample
{
    public const int Capacity = 1_000_000;
    private readonly List<double> _values = [];
    private readonly Random _random = new(17);
    private long _seen;

    public bool IsSampled => _seen > Capacity;
    public int Kept => _values.Count;

    public void Add(double value)
    {
        _seen++;
        if (_values.Count < Capacity) { _values.Add(value); return; }
        var slot = _random.NextInt64(_seen);
        if (slot < Capacity) _values[(int)slot] = value;
    }

    /// <summary>Linear interpolation between the closest ranks (NumPy's and pandas' default).</summary>
    public double Quantile(double q)
    {
        _values.Sort();
        var position = q * (_values.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, _values.Count - 1);
        return _values[lower] + (position - lower) * (_values[upper] - _values[lower]);
    }
}

/// <summary>Durations as written in expectations: a number and a unit, <c>90s</c>, <c>30m</c>, <c>36h</c>, <c>7d</c>, <c>2w</c>.</summary>
public static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (text.Length < 2) return false;
        var unit = text[^1];
        if (!double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount < 0 || !double.IsFinite(amount)) return false;
        double? seconds = unit switch { 's' => amount, 'm' => amount * 60, 'h' => amount * 3600, 'd' => amount * 86400, 'w' => amount * 604800, _ => null };
        if (seconds is not { } s || s > TimeSpan.MaxValue.TotalSeconds / 2) return false;
        value = TimeSpan.FromSeconds(s);
        return true;
    }

    public static string Format(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)}d"
        : span.TotalHours >= 1 ? $"{span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)}h"
        : span.TotalMinutes >= 1 ? $"{span.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)}m"
        : $"{span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)}s";
}
