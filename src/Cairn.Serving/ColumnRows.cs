using System.Collections;
using Cairn.Models;

namespace Cairn.Serving;

/// <summary>
/// Columns seen as rows of named values, for the inference log: no dictionary is built, a row is
/// an index into the columns, and a value is read (boxed) only when the log copies it.
/// </summary>
internal sealed class ColumnRows(IReadOnlyList<TensorColumn> columns, int rows) : IReadOnlyList<IReadOnlyDictionary<string, object?>>
{
    public int Count => rows;

    /// <summary>The column of that name, for readers that copy whole columns.</summary>
    public TensorColumn? Column(string name) => columns.FirstOrDefault(c => c.Name == name);

    public IReadOnlyDictionary<string, object?> this[int index] => new Row(columns, index);

    public IEnumerator<IReadOnlyDictionary<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < rows; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private sealed class Row(IReadOnlyList<TensorColumn> columns, int index) : IReadOnlyDictionary<string, object?>
    {
        public int Count => columns.Count;
        public IEnumerable<string> Keys => columns.Select(c => c.Name);
        public IEnumerable<object?> Values => columns.Select(Value);
        public object? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);
        public bool ContainsKey(string key) => columns.Any(c => c.Name == key);

        public bool TryGetValue(string key, out object? value)
        {
            foreach (var column in columns)
                if (column.Name == key)
                {
                    value = Value(column);
                    return true;
                }
            value = null;
            return false;
        }

        private object? Value(TensorColumn column)
        {
            if (column.Width == 1) return column.Values.GetValue(index);
            var slice = Array.CreateInstance(column.Values.GetType().GetElementType()!, column.Width);
            Array.Copy(column.Values, index * column.Width, slice, 0, column.Width);
            return slice;
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() =>
            columns.Select(c => KeyValuePair.Create(c.Name, Value(c))).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
