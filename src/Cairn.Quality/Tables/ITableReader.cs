namespace Cairn.Quality.Tables;

/// <summary>A batch of rows: the values of the columns that were asked for, by their index in <see cref="ITableReader.Fields"/>.</summary>
public sealed class TableBatch(int rowCount, IReadOnlyDictionary<int, ColumnValues> columns)
{
    public int RowCount { get; } = rowCount;

    public ColumnValues this[int field] => columns[field];
}

/// <summary>
/// Reads a table in batches, so that memory stays bounded by a batch (CSV: a few thousand lines;
/// Parquet: one row group) and not by the file.
/// </summary>
public interface ITableReader : IAsyncDisposable
{
    /// <summary>Where the rows come from, for messages.</summary>
    string Source { get; }

    IReadOnlyList<TableField> Fields { get; }

    /// <summary>The batches in order, holding only the columns in <paramref name="fields"/>.</summary>
    IAsyncEnumerable<TableBatch> ReadAsync(IReadOnlySet<int> fields, CancellationToken ct = default);
}

public static class TableFields
{
    /// <summary>The index of a column by exact name, or -1.</summary>
    public static int IndexOf(this IReadOnlyList<TableField> fields, string name)
    {
        for (var i = 0; i < fields.Count; i++)
            if (fields[i].Name == name) return i;
        return -1;
    }
}
