using Cairn.Quality.Tables;

namespace Cairn.Monitoring;

/// <summary>Reads a table (a dataset version's files, a CSV or Parquet file) batch by batch into column sinks.</summary>
public static class TableReading
{
    /// <summary>The table's columns and their kinds.</summary>
    public static IReadOnlyList<MonitoredColumn> ColumnsOf(ITableReader reader) =>
        reader.Fields.Select(f => new MonitoredColumn(f.Name, MonitoredKinds.Of(f.DeclaredType ?? ColumnType.String))).ToList();

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
