using Cairn.Quality.Tables;

namespace Cairn.Quality.Validation;

/// <summary>
/// Checks a table against expectations in one streaming pass: every check sees each batch once,
/// and only the columns some check reads are read.
/// </summary>
/// <example>
/// <code>
/// var report = await DataValidation.RunAsync(DataSource.FromFile("flights.csv"), Expectations.Load("expectations.yaml"));
/// if (!report.Passed) Console.Write(report.ToText());
/// </code>
/// </example>
public static class DataValidation
{
    /// <param name="time">The clock freshness is measured against (default: the system's).</param>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for input that cannot be checked: an unreadable file, or an expectation naming a column the data and the schema do not have.</exception>
    public static async Task<ValidationReport> RunAsync(DataSource source, Expectations expectations, TimeProvider? time = null, CancellationToken ct = default)
    {
        await using var reader = await source.OpenAsync(ct).ConfigureAwait(false);
        var checks = expectations.All.Select(e => Bind(e, reader, expectations)).ToList();
        var fields = checks.SelectMany(c => c.Fields).ToHashSet();
        long rows = 0;
        await foreach (var batch in reader.ReadAsync(fields, ct).ConfigureAwait(false))
        {
            rows += batch.RowCount;
            foreach (var check in checks) check.Observe(batch);
        }
        var now = (time ?? TimeProvider.System).GetUtcNow();
        return new ValidationReport(source.Description, rows, checks.SelectMany(c => c.Finish(rows, now)).ToList());
    }

    private static ExpectationCheck Bind(Expectation expectation, ITableReader reader, Expectations file)
    {
        var fields = new List<int>();
        foreach (var column in expectation.Columns)
        {
            var field = reader.Fields.IndexOf(column);
            if (field >= 0)
            {
                RequireUsableType(expectation, reader, reader.Fields[field], file);
                fields.Add(field);
                continue;
            }
            if (file.Schema?.Expected.Any(e => e.Name == column) == true) return new MissingColumnCheck(expectation, column);
            var near = reader.Fields.FirstOrDefault(f => f.Name.Equals(column, StringComparison.OrdinalIgnoreCase));
            throw CairnException.InvalidParameter($"{file.Source} line {expectation.Line}: {expectation.Kind} names the column '{column}', which {reader.Source} does not have" +
                (near is not null ? $" (did you mean '{near.Name}'?)." : $"; its columns are: {string.Join(", ", reader.Fields.Select(f => f.Name))}."));
        }
        return expectation.CreateCheck(fields, reader.Fields);
    }

    /// <summary>A numeric check on a column Parquet declares as text (or a freshness check on numbers) is a mistake in the file, not a failed gate.</summary>
    private static void RequireUsableType(Expectation expectation, ITableReader reader, TableField field, Expectations file)
    {
        if (field.DeclaredType is not { } type) return;
        var numeric = expectation is RangeExpectation or DistributionExpectation;
        var ok = numeric ? type is ColumnType.Integer or ColumnType.Number
            : expectation is not FreshnessExpectation || type == ColumnType.Timestamp;
        if (!ok)
            throw CairnException.InvalidParameter($"{file.Source} line {expectation.Line}: {expectation.Kind} needs {(numeric ? "numbers" : "timestamps")}, " +
                $"but the column '{field.Name}' of {reader.Source} is {ColumnTypes.Name(type)}.");
    }
}
