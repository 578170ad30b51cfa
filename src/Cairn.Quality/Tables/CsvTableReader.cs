using System.Runtime.CompilerServices;
using System.Text;

namespace Cairn.Quality.Tables;

/// <summary>
/// A CSV file (RFC 4180: a header line, commas, double quotes around fields that hold commas,
/// quotes or line breaks) read line by line in batches. A line with a different number of fields
/// than the header is an error naming the line.
/// </summary>
public sealed class CsvTableReader : ITableReader
{
    public const int BatchRows = 8192;

    private readonly string _path;
    private readonly StreamReader _reader;
    private readonly StringBuilder _record = new();
    private readonly List<string> _fields = [];
    private long _line;

    public string Source { get; }
    public IReadOnlyList<TableField> Fields { get; }

    private CsvTableReader(string path, string source)
    {
        _path = path;
        Source = source;
        _reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        if (!ReadRecord())
        {
            _reader.Dispose();
            throw CairnException.InvalidParameter($"{source} is empty: a CSV file needs a header line naming its columns.");
        }
        var names = _fields.Select(f => f.Trim()).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (name.Length == 0 || !seen.Add(name))
            {
                _reader.Dispose();
                throw CairnException.InvalidParameter(name.Length == 0
                    ? $"{source} line 1: the header has an empty column name."
                    : $"{source} line 1: the header names the column '{name}' twice.");
            }
        }
        Fields = names.Select(n => new TableField(n, null)).ToList();
    }

    /// <param name="source">The name to use in messages (default: the path).</param>
    public static CsvTableReader Open(string path, string? source = null) => new(path, source ?? path);

    public async IAsyncEnumerable<TableBatch> ReadAsync(IReadOnlySet<int> fields, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await Task.CompletedTask; // reads stay on the caller's thread (see CallerThreadFileStream)
        var wanted = fields.Order().ToArray();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var columns = wanted.ToDictionary(f => f, _ => new string?[BatchRows]);
            var rows = 0;
            while (rows < BatchRows && ReadRecord())
            {
                if (_fields.Count == 1 && _fields[0].Length == 0 && Fields.Count > 1) continue; // a blank line
                if (_fields.Count != Fields.Count)
                    throw CairnException.InvalidParameter($"{Source} line {_line}: {_fields.Count} fields, but the header has {Fields.Count}.");
                foreach (var f in wanted) columns[f][rows] = _fields[f];
                rows++;
            }
            if (rows == 0) yield break;
            yield return new TableBatch(rows, columns.ToDictionary(c => c.Key, c => (ColumnValues)new TextValues(c.Value, rows)));
            if (rows < BatchRows) yield break;
        }
    }

    /// <summary>Reads the next record (which may span lines inside quotes) into <see cref="_fields"/>; false at the end.</summary>
    private bool ReadRecord()
    {
        var first = _reader.ReadLine();
        if (first is null) return false;
        _line++;
        var startLine = _line;
        _fields.Clear();
        _record.Clear();
        var line = first;
        var quoted = false;
        var afterQuote = false;
        while (true)
        {
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (quoted)
                {
                    if (c != '"') _record.Append(c);
                    else if (i + 1 < line.Length && line[i + 1] == '"') { _record.Append('"'); i++; }
                    else { quoted = false; afterQuote = true; }
                }
                else if (c == ',') { _fields.Add(_record.ToString()); _record.Clear(); afterQuote = false; }
                else if (c == '"' && _record.Length == 0 && !afterQuote) quoted = true;
                else _record.Append(c);
            }
            if (!quoted) break;
            var next = _reader.ReadLine()
                ?? throw CairnException.InvalidParameter($"{Source} line {startLine}: a quoted field is never closed.");
            _line++;
            _record.Append('\n');
            line = next;
        }
        _fields.Add(_record.ToString());
        return true;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => _path;
}
