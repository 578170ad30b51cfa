using Cairn.Quality.Tables;

namespace Cairn.Quality.Validation;

internal sealed class NotNullCheck(NotNullExpectation expectation, int column) : ExpectationCheck(expectation)
{
    private long _missing;

    public override IEnumerable<int> Fields => [column];

    public override void Observe(TableBatch batch)
    {
        var values = batch[column];
        for (var i = 0; i < batch.RowCount; i++)
            if (values.IsMissing(i)) _missing++;
    }

    public override IEnumerable<CheckResult> Finish(long rows, DateTimeOffset now)
    {
        var fraction = rows == 0 ? 0 : (double)_missing / rows;
        var expected = expectation.MaxMissingFraction == 0 ? "no missing values" : $"at most {Percent(expectation.MaxMissingFraction)} missing";
        yield return Result($"not_null {expectation.Column}", expected, $"{Count(_missing)} of {Count(rows)} missing ({Percent(fraction)})", fraction <= expectation.MaxMissingFraction);
    }
}

/// <summary>Numbers within bounds; present values that are not numbers fail the check too.</summary>
internal sealed class RangeCheck(RangeExpectation expectation, int column) : ExpectationCheck(expectation)
{
    private long _numbers, _outside, _notNumbers;
    private double _min = double.PositiveInfinity, _max = double.NegativeInfinity;
    private readonly List<string> _examples = [];

    public override IEnumerable<int> Fields => [column];

    public override void Observe(TableBatch batch)
    {
        var values = batch[column];
        for (var i = 0; i < batch.RowCount; i++)
        {
            if (values.IsMissing(i)) continue;
            if (!values.TryGetNumber(i, out var v))
            {
                if (_notNumbers++ < 3) _examples.Add($"not a number: {Quote(values.GetText(i))}");
                continue;
            }
            _numbers++;
            if (v < _min) _min = v;
            if (v > _max) _max = v;
            if (!Expectation.Within(v, expectation.Min, expectation.Max) && _outside++ < 5) _examples.Add($"outside: {Expectation.Format(v)}");
        }
    }

    public override IEnumerable<CheckResult> Finish(long rows, DateTimeOffset now)
    {
        var observed = _numbers == 0 ? "no numbers" : $"min {Expectation.Format(_min)}, max {Expectation.Format(_max)}";
        if (_outside > 0) observed += $"; {Count(_outside)} of {Count(_numbers)} outside";
        if (_notNumbers > 0) observed += $"; {Count(_notNumbers)} values are not numbers";
        yield return Result($"range {expectation.Column}", Expectation.Bounds(expectation.Min, expectation.Max), observed, _outside == 0 && _notNumbers == 0, _examples);
    }
}

internal sealed class AllowedValuesCheck(AllowedValuesExpectation expectation, int column) : ExpectationCheck(expectation)
{
    private const int KeptUnexpected = 10;
    private readonly HashSet<string> _allowed = new(expectation.Values, StringComparer.Ordinal);
    private readonly Dictionary<string, long> _unexpected = new(StringComparer.Ordinal);
    private long _unexpectedCount, _present;

    public override IEnumerable<int> Fields => [column];

    public override void Observe(TableBatch batch)
    {
        var values = batch[column];
        for (var i = 0; i < batch.RowCount; i++)
        {
            var text = values.GetText(i);
            if (text is null) continue;
            _present++;
            if (_allowed.Contains(text)) continue;
            _unexpectedCount++;
            if (_unexpected.TryGetValue(text, out var n)) _unexpected[text] = n + 1;
            else if (_unexpected.Count < KeptUnexpected) _unexpected[text] = 1;
        }
    }

    public override IEnumerable<CheckResult> Finish(long rows, DateTimeOffset now)
    {
        var expected = $"one of {string.Join(", ", expectation.Values.Take(8).Select(v => Quote(v)))}{(expectation.Values.Count > 8 ? $" ({expectation.Values.Count} values)" : "")}";
        var observed = _unexpectedCount == 0
            ? $"all {Count(_present)} present values allowed"
            : $"{Count(_unexpectedCount)} of {Count(_present)} not allowed: " + string.Join(", ", _unexpected.OrderByDescending(u => u.Value).Select(u => $"{Quote(u.Key)} x{Count(u.Value)}"))
              + (_unexpected.Count == KeptUnexpected ? ", ..." : "");
        yield return Result($"allowed_values {expectation.Column}", expected, observed, _unexpectedCount == 0);
    }
}
