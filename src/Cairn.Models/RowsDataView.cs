using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cairn.Models;

/// <summary>
/// An ML.NET <see cref="IDataView"/> over rows of named values, typed by a model's input schema.
/// Every value is converted up front, so a missing column or a wrong type is reported by name
/// before the model runs.
/// </summary>
internal sealed class RowsDataView : IDataView
{
    private readonly Array[] _columns;
    private readonly IReadOnlySet<string> _required;
    private readonly int _count;

    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;

    /// <param name="schema">The model's input schema: the columns and their types.</param>
    /// <param name="rows">The rows, each mapping column names to values.</param>
    /// <param name="required">Columns every row must have; other columns of the schema (a label, say) default when absent.</param>
    public RowsDataView(DataViewSchema schema, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlySet<string> required)
    {
        _required = required;
        Schema = schema;
        _count = rows.Count;
        _columns = new Array[schema.Count];
        foreach (var column in schema)
        {
            if (column.IsHidden) continue;
            _columns[column.Index] = column.Type switch
            {
                NumberDataViewType t when t.RawType == typeof(float) => Fill(rows, column.Name, 0f),
                NumberDataViewType t when t.RawType == typeof(double) => Fill(rows, column.Name, 0d),
                NumberDataViewType t when t.RawType == typeof(int) => Fill(rows, column.Name, 0),
                NumberDataViewType t when t.RawType == typeof(long) => Fill(rows, column.Name, 0L),
                BooleanDataViewType => Fill(rows, column.Name, false),
                TextDataViewType => Fill(rows, column.Name, "").Select(s => s.AsMemory()).ToArray(),
                VectorDataViewType { ItemType: NumberDataViewType item } v when item.RawType == typeof(float) => FillVectors(rows, column.Name, v.Size),
                _ => throw CairnException.InvalidParameter($"Input '{column.Name}' has type {column.Type}, which Cairn cannot feed from rows yet."),
            };
        }
    }

    private T[] Fill<T>(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, string name, T fallback)
    {
        var values = new T[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            if (!rows[i].TryGetValue(name, out var value))
            {
                if (_required.Contains(name))
                    throw CairnException.InvalidParameter($"Missing input '{name}' in row {i}: the model needs every input of its signature.");
                values[i] = fallback;
                continue;
            }
            values[i] = ModelRows.Convert<T>(value, name, i);
        }
        return values;
    }

    private VBuffer<float>[] FillVectors(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, string name, int size)
    {
        var values = new VBuffer<float>[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            if (!rows[i].TryGetValue(name, out var value) || value is null)
                throw CairnException.InvalidParameter($"Missing input '{name}' in row {i}.");
            var items = value switch
            {
                System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Array } json => json.EnumerateArray().Select((e, j) => ModelRows.Convert<float>(e, $"{name}[{j}]", i)).ToArray(),
                System.Collections.IEnumerable sequence and not string => sequence.Cast<object?>().Select((e, j) => ModelRows.Convert<float>(e, $"{name}[{j}]", i)).ToArray(),
                _ => throw CairnException.InvalidParameter($"Invalid value for input '{name}' in row {i}: expected an array of {size} numbers."),
            };
            if (size > 0 && items.Length != size)
                throw CairnException.InvalidParameter($"Invalid value for input '{name}' in row {i}: expected {size} numbers, got {items.Length}.");
            values[i] = new VBuffer<float>(items.Length, items);
        }
        return values;
    }

    public long? GetRowCount() => _count;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(RowsDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext() => ++_position < view._count;

        public override bool IsColumnActive(DataViewSchema.Column column) => view._columns[column.Index] is not null;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var values = (TValue[])view._columns[column.Index];
            return (ref TValue value) => value = values[_position];
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
    }
}
