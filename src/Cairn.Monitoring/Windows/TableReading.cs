using Cairn.Quality.Tables;

namespace Cairn.Monitoring;

/// <summary>Reads a table (a dataset version's files, a CSV or Parquet file) batch by batch into column sinks.</summary>
public static class TableReading
{
    /// <summary>
    /// The source's columns and their kinds. Parquet declares its types; a CSV column is numeric when
    /// every value present in its first batch (8,192 rows) is a number. The reader used to look is
    /// closed: read the rows with a new one.
    /// </summary>
    public static async Task<IReadOnlyList<MonitoredColumn>> ColumnsOfAsync(DataSource source, CancellationToken ct)
    {
        await using var reader = await source.OpenAsync(ct).ConfigureAwait(false);
        var undeclared = Enumerable.Range(0, reader.Fields.Count).Where(i => reader.Fields[i].DeclaredType is null).ToHashSet();
        var numeric = new HashSet<int>(undeclared);
        if (undeclared.Count > 0)
        {
            await foreach (var batch in reader.ReadAsync(undeclared, ct).ConfigureAwait(false))
            {
                foreach (var field in undeclared)
                {
                    var values = batch[field];
                    for (var row = 0; row < batch.RowCount && numeric.Contains(field); row++)
                        if (!values.IsMissing(row) && !values.TryGetNumber(row, out _)) numeric.Remove(field);
                }
                break;
            }
        }
        return reader.Fields.Select((f, i) => new MonitoredColumn(f.Name,
            f.DeclaredType is { } type ? MonitoredKinds.Of(type) : numeric.Contains(i) ? MonitoredKind.Numeric : MonitoredKind.Categorical)).ToList();
    }

    /// <summary>Feeds the columns to <paramref name="sink"/>; returns the number of rows read.</summary>
    public static async Task<long> ReadAsync(ITableReader reader, IReadOnlyList<MonitoredColumn> columns, IColumnSink sink, CancellationToken ct)
    {
        var mapped = columns.Select(c => (Column: c, Field: reader.Fields.IndexOf(c.Name))).ToList();
        var missing = mapped.Where(m => m.Field < 0).Select(m => m.Column.Name).ToList();
        if (missing.Count > 0)
            throw CairnException.InvalidParameter($"{reader.Source} has no column {string.Join(", ", missing)}; its columns: {string.Join(", ", reader.Fields.Select(f => f.Name))}.");
        var copier = new BatchColumns();
        long total = 0;
        await foreach (var batch in reader.ReadAsync(mapped.Select(m => m.Field).ToHashSet(), ct).ConfigureAwait(false))
        {
            sink.AddRows(batch.RowCount);
            foreach (var (column, field) in mapped) copier.Copy(column, batch[field], null, batch.RowCount, sink);
            total += batch.RowCount;
        }
        return total;
    }
}
