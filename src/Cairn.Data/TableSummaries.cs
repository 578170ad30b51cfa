using System.Globalization;
using System.Text;
using Parquet;

namespace Cairn.Data;

/// <summary>Row counts and columns of CSV and Parquet files, recorded in pointers so that diffs can show schema changes without the data.</summary>
public static class TableSummaries
{
    private const int TypeSampleRows = 1000;

    public static bool IsTabular(string path) =>
        path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>The summary of a CSV or Parquet file; null for other files, or for one that cannot be read as its extension says.</summary>
    public static TableSummary? TryRead(string path)
    {
        try
        {
            if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) return ReadParquet(path);
            if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return ReadCsv(path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException or ParquetException)
        {
            // Not readable as a table: version it as plain bytes.
        }
        return null;
    }

    private static TableSummary ReadParquet(string path)
    {
        using var stream = File.OpenRead(path);
        var reader = ParquetReader.CreateAsync(stream).GetAwaiter().GetResult();
        try
        {
            var columns = reader.Schema.GetDataFields()
                .Select(f => new TableColumn(f.Path.ToString(), TypeName(Nullable.GetUnderlyingType(f.ClrType) ?? f.ClrType)))
                .ToList();
            return new TableSummary("parquet", reader.Metadata?.NumRows ?? 0, columns);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static string TypeName(Type type) => type switch
    {
        _ when type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(sbyte) => "int64",
        _ when type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort) || type == typeof(byte) => "int64",
        _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "double",
        _ when type == typeof(bool) => "bool",
        _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) => "timestamp",
        _ when type == typeof(string) => "string",
        _ => type.Name.ToLowerInvariant(),
    };

    private static TableSummary ReadCsv(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var sample = new List<string>();
        long records = 0;
        var inQuotes = false;
        var line = new StringBuilder();
        var buffer = new byte[1 << 20];
        int read;
        var lastByte = (byte)'\n';
        while ((read = stream.Read(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            var start = 0;
            while (start < span.Length)
            {
                var rest = span[start..];
                var hit = inQuotes ? rest.IndexOf((byte)'"') : rest.IndexOfAny((byte)'"', (byte)'\n');
                if (hit < 0)
                {
                    if (sample.Count <= TypeSampleRows) line.Append(Encoding.UTF8.GetString(rest));
                    break;
                }
                if (sample.Count <= TypeSampleRows) line.Append(Encoding.UTF8.GetString(rest[..(hit + 1)]));
                if (rest[hit] == (byte)'"') inQuotes = !inQuotes;
                else
                {
                    records++;
                    if (sample.Count <= TypeSampleRows) sample.Add(line.ToString().TrimEnd('\r', '\n'));
                    line.Clear();
                }
                start += hit + 1;
            }
            lastByte = span[^1];
        }
        if (lastByte != (byte)'\n') records++; // a last line without a newline
        if (line.Length > 0 && sample.Count <= TypeSampleRows) sample.Add(line.ToString().TrimEnd('\r'));
        if (sample.Count == 0) return new TableSummary("csv", 0, []);
        var header = SplitCsv(sample[0]);
        var rows = sample.Skip(1).Select(SplitCsv).ToList();
        var columns = header.Select((name, i) => new TableColumn(name, InferType(rows.Select(r => i < r.Count ? r[i] : "")))).ToList();
        return new TableSummary("csv", Math.Max(0, records - 1), columns);
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }

    private static string InferType(IEnumerable<string> values)
    {
        var present = values.Where(v => v.Length > 0).ToList();
        if (present.Count == 0) return "string";
        if (present.All(v => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))) return "int64";
        if (present.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))) return "double";
        if (present.All(v => bool.TryParse(v, out _))) return "bool";
        if (present.All(v => DateTime.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))) return "timestamp";
        return "string";
    }
}
