using Cairn.Quality.Tables;

namespace Cairn.Quality.Validation;

/// <summary>
/// The running state of one expectation over a table: it sees every batch once (bounded memory,
/// except the distinct keys a uniqueness check must remember) and then gives its result lines.
/// </summary>
internal abstract class ExpectationCheck(Expectation expectation)
{
    public Expectation Expectation { get; } = expectation;

    /// <summary>The fields this check reads from each batch.</summary>
    public virtual IEnumerable<int> Fields => [];

    public virtual void Observe(TableBatch batch) { }

    public abstract IEnumerable<CheckResult> Finish(long rows, DateTimeOffset now);

    protected CheckResult Result(string check, string expected, string observed, bool passed, IReadOnlyList<string>? details = null) =>
        new(check, expected, observed, passed, Expectation.Line, details);

    protected static string Count(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    protected static string Percent(double fraction) => (fraction * 100).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "%";

    /// <summary>A value as quoted in a report: at most 40 characters.</summary>
    protected static string Quote(string? value) => value is null ? "(missing)" : value.Length > 40 ? $"'{value[..40]}...'" : $"'{value}'";
}

/// <summary>A check on a column the schema names but the data lacks: every such check fails, saying so.</summary>
internal sealed class MissingColumnCheck(Expectation expectation, string column) : ExpectationCheck(expectation)
{
    public override IEnumerable<CheckResult> Finish(long rows, DateTimeOffset now)
    {
        yield return Result($"{Expectation.Kind} {string.Join(", ", Expectation.Columns)}", "the column to be present", $"the data has no column '{column}'", false);
    }
}

internal sealed class RowCountCheck(RowCountExpectation expectation) : ExpectationCheck(expectation)
{
    public override IEnumerable<CheckResult> Finish(long rows, DateTimeOffset now)
    {
        var ok = (expectation.Min is null || rows >= expectation.Min) && (expectation.Max is null || rows <= expectation.Max);
        yield return Result("row_count", Expectation.Bounds(expectation.Min, expectation.Max) + " rows", $"{Count(rows)} rows", ok);
    }
}

/// <summary>
/// Column presence and types. Parquet declares types; CSV holds text, so a CSV column's type is
/// the narrowest one every present value parses as (and any column satisfies <c>string</c>).
/// </summary>
internal sealed class SchemaCheck : ExpectationCheck
{
    private readonly SchemaExpectation _schema;
    private readonly IReadOnlyList<TableField> _table;
    private readonly Dictionary<int, TypeInference> _inferred = [];

    public SchemaCheck(SchemaExpectation schema, IReadOnlyList<TableField> table) : base(schema)
    {
        _schema = schema;
        _table = table;
        foreach (var (name, type) in schema.Expected)
        {
            var field = table.IndexOf(name);
            if (field >= 0 && type is not null and not ColumnType.String && table[field].DeclaredType is null) _inferred[field] = new TypeInference();
        }
    }

    public override IEnumerable<int> Fields => _inferred.Keys;

    public override void Observe(TableBatch batch)
    {
        foreach (var (field, inference) in _inferred) inference.Observe(batch[field], batch.RowCount);
    }

    public override IEnumerable<CheckResult> Finish(long rows, DateTimeOffset now)
    {
        foreach (var (name, type) in _schema.Expected)
        {
            var field = _table.IndexOf(name);
            var expected = type is { } t ? $"present, {ColumnTypes.Name(t)}" : "present";
            if (field < 0)
            {
                yield return Result($"schema column {name}", expected, "missing", false);
                continue;
            }
            if (type is not { } wanted)
            {
                yield return Result($"schema column {name}", expected, "present", true);
                continue;
            }
            var declared = _table[field].DeclaredType;
            if (declared is { } d)
            {
                yield return Result($"schema column {name}", expected, ColumnTypes.Name(d), ColumnTypes.Satisfies(d, wanted));
                continue;
            }
            if (wanted == ColumnType.String)
            {
                yield return Result($"schema column {name}", expected, "text (CSV)", true);
                continue;
            }
            var inference = _inferred[field];
            var observed = inference.Type;
            yield return observed is { } o
                ? Result($"schema column {name}", expected, ColumnTypes.Name(o) + (inference.Counterexample is { } c && !ColumnTypes.Satisfies(o, wanted) ? $" (e.g. {Quote(c)})" : ""), ColumnTypes.Satisfies(o, wanted))
                : Result($"schema column {name}", expected, "no values to type", true);
        }
        if (!_schema.AllowExtraColumns)
        {
            var named = _schema.Expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
            var extra = _table.Where(f => !named.Contains(f.Name)).Select(f => f.Name).ToList();
            yield return Result("schema no other columns", "only the columns listed", extra.Count == 0 ? "no other columns" : "also " + string.Join(", ", extra), extra.Count == 0);
        }
    }

    /// <summary>The narrowest type every present text value parses as, found in one pass.</summary>
    private sealed class TypeInference
    {
        private bool _integer = true, _number = true, _boolean = true, _timestamp = true;
        private long _present;

        /// <summary>The first value that was not a number, to show why a numeric column is not one.</summary>
        public string? Counterexample { get; private set; }

        public void Observe(ColumnValues values, int rows)
        {
            for (var i = 0; i < rows; i++)
            {
                var text = values.GetText(i);
                if (text is null) continue;
                _present++;
                if (_integer && !long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _)) _integer = false;
                if (_number && !ColumnValues.TryParseNumber(text, out _)) { _number = false; Counterexample ??= text; }
                if (_boolean && !bool.TryParse(text, out _)) _boolean = false;
                if (_timestamp && !ColumnValues.TryParseTimestamp(text, out _)) _timestamp = false;
            }
        }

        public ColumnType? Type => _present == 0 ? null
            : _integer ? ColumnType.Integer
            : _number ? ColumnType.Number
            : _boolean ? ColumnType.Boolean
            : _timestamp ? ColumnType.Timestamp
            : ColumnType.String;
    }
}
