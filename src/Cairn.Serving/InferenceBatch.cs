using System.Collections.Concurrent;
using System.Text.Json;

namespace Cairn.Serving;

/// <summary>
/// One column of logged cells, stored as plain values: a number (or boolean) in a double array, a
/// text in a string array, and what kind each cell is. Copying a request's values in here at
/// request time means nothing of the request (JSON documents, dictionaries, boxed numbers)
/// stays alive until the flush, so the garbage collector has almost nothing to keep.
/// </summary>
internal sealed class CellColumn(int capacity)
{
    public const byte Null = 0, Number = 1, Boolean = 2, Text = 3;

    public double[] Numbers = new double[capacity];
    public string?[] Texts = new string?[capacity];
    public byte[] Kinds = new byte[capacity];

    /// <summary>Categorical texts repeat: keep one instance of each (up to a bound) so logged rows share them.</summary>
    private static readonly ConcurrentDictionary<string, string> Interned = new(StringComparer.Ordinal);
    private const int MaxInterned = 10_000;

    public void Set(int row, object? value)
    {
        Texts[row] = null;
        switch (value)
        {
            case null: Kinds[row] = Null; break;
            case double d: SetNumber(row, d); break;
            case float f: SetNumber(row, f); break;
            case int i: SetNumber(row, i); break;
            case long l: SetNumber(row, l); break;
            case uint u: SetNumber(row, u); break;
            case bool b: Kinds[row] = Boolean; Numbers[row] = b ? 1 : 0; break;
            case string s: SetText(row, s); break;
            case JsonElement { ValueKind: JsonValueKind.Number } e: SetNumber(row, e.GetDouble()); break;
            case JsonElement { ValueKind: JsonValueKind.String } e: SetText(row, e.GetString()!); break;
            case JsonElement { ValueKind: JsonValueKind.True }: Kinds[row] = Boolean; Numbers[row] = 1; break;
            case JsonElement { ValueKind: JsonValueKind.False }: Kinds[row] = Boolean; Numbers[row] = 0; break;
            case JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }: Kinds[row] = Null; break;
            case JsonElement e: Kinds[row] = Text; Texts[row] = e.GetRawText(); break;
            default: Kinds[row] = Text; Texts[row] = JsonSerializer.Serialize(value); break;
        }
    }

    /// <summary>Copies a typed column (one value per row) into rows <paramref name="at"/>.. without boxing; false when it is not such a column.</summary>
    public bool TryCopy(Array values, int width, int at)
    {
        if (width != 1) return false;
        switch (values)
        {
            case float[] a: for (var i = 0; i < a.Length; i++) SetNumber(at + i, a[i]); return true;
            case double[] a: for (var i = 0; i < a.Length; i++) SetNumber(at + i, a[i]); return true;
            case long[] a: for (var i = 0; i < a.Length; i++) SetNumber(at + i, a[i]); return true;
            case int[] a: for (var i = 0; i < a.Length; i++) SetNumber(at + i, a[i]); return true;
            case bool[] a:
                for (var i = 0; i < a.Length; i++) { Kinds[at + i] = Boolean; Numbers[at + i] = a[i] ? 1 : 0; Texts[at + i] = null; }
                return true;
            case string[] a: for (var i = 0; i < a.Length; i++) SetText(at + i, a[i]); return true;
            default: return false;
        }
    }

    private void SetNumber(int row, double value)
    {
        Kinds[row] = Number;
        Numbers[row] = value;
        Texts[row] = null;
    }

    private void SetText(int row, string text)
    {
        Kinds[row] = Text;
        Texts[row] = Interned.TryGetValue(text, out var shared) ? shared
            : Interned.Count < MaxInterned && text.Length <= 64 ? Interned.GetOrAdd(text, text) : text;
    }

    public void Grow(int capacity)
    {
        Array.Resize(ref Numbers, capacity);
        Array.Resize(ref Texts, capacity);
        Array.Resize(ref Kinds, capacity);
    }
}

/// <summary>
/// The logged rows of one model version, protocol and set of columns, as columns of plain values.
/// Two of these per kind of request are swapped at each flush (one fills while the other is
/// written), so in steady state logging allocates nothing per request but its request id.
/// </summary>
internal sealed class InferenceBatch
{
    public string Model { get; }
    public string Version { get; }
    public string Protocol { get; }
    /// <summary>The endpoint variant the rows went to; null for a model served alone.</summary>
    public string? Variant { get; init; }
    public string[] InputNames { get; }
    public string[] OutputNames { get; }
    public int Count { get; private set; }

    public long[] Timestamps;
    public double[] LatencyMs;
    public string[] RequestIds;
    public long[] RowInRequest;
    public readonly CellColumn[] Inputs;
    public readonly CellColumn[] Outputs;

    public InferenceBatch(string model, string version, string protocol, string[] inputNames, string[] outputNames, int capacity = 256)
    {
        (Model, Version, Protocol, InputNames, OutputNames) = (model, version, protocol, inputNames, outputNames);
        Timestamps = new long[capacity];
        LatencyMs = new double[capacity];
        RequestIds = new string[capacity];
        RowInRequest = new long[capacity];
        Inputs = inputNames.Select(_ => new CellColumn(capacity)).ToArray();
        Outputs = outputNames.Select(_ => new CellColumn(capacity)).ToArray();
    }

    /// <summary>An empty batch for the same kind of request, as large as this one grew.</summary>
    public InferenceBatch Twin() => new(Model, Version, Protocol, InputNames, OutputNames, Timestamps.Length) { Variant = Variant };

    public bool Accepts(InferenceEntry entry) =>
        entry.Model == Model && entry.Version == Version && entry.Protocol == Protocol && entry.Variant == Variant
        && SameNames(entry.Inputs, InputNames) && SameNames(entry.Outputs, OutputNames);

    /// <summary>The column names of an entry: those of its first row (the signature's, in practice).</summary>
    public static string[] NamesOf(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) => rows.Count == 0 ? [] : rows[0].Keys.ToArray();

    private static bool SameNames(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, string[] names)
    {
        if (rows.Count == 0) return names.Length == 0;
        var first = rows[0];
        if (first.Count != names.Length) return false;
        foreach (var name in names)
            if (!first.ContainsKey(name)) return false;
        return true;
    }

    /// <summary>Copies every row of the entry in (column by column when the entry is columns already).</summary>
    public void Add(InferenceEntry entry)
    {
        var rows = entry.Inputs.Count;
        if (Count + rows > Timestamps.Length) Grow(Math.Max(Timestamps.Length * 2, Count + rows));
        for (var r = 0; r < rows; r++)
        {
            var at = Count + r;
            Timestamps[at] = entry.Timestamp;
            LatencyMs[at] = entry.LatencyMs;
            RequestIds[at] = entry.RequestId;
            RowInRequest[at] = r;
        }
        CopyColumns(entry.Inputs, InputNames, Inputs, rows);
        CopyColumns(entry.Outputs, OutputNames, Outputs, rows);
        Count += rows;
    }

    private void CopyColumns(IReadOnlyList<IReadOnlyDictionary<string, object?>> source, string[] names, CellColumn[] columns, int rows)
    {
        for (var c = 0; c < names.Length; c++)
        {
            if (source is ColumnRows typed && typed.Column(names[c]) is { } column && column.Values.Length == rows && columns[c].TryCopy(column.Values, column.Width, Count))
                continue;
            for (var r = 0; r < rows; r++)
                columns[c].Set(Count + r, r < source.Count && source[r].TryGetValue(names[c], out var value) ? value : null);
        }
    }

    public void Clear()
    {
        Array.Clear(RequestIds, 0, Count);
        foreach (var column in Inputs.Concat(Outputs)) Array.Clear(column.Texts, 0, Count);
        Count = 0;
    }

    private void Grow(int capacity)
    {
        Array.Resize(ref Timestamps, capacity);
        Array.Resize(ref LatencyMs, capacity);
        Array.Resize(ref RequestIds, capacity);
        Array.Resize(ref RowInRequest, capacity);
        foreach (var column in Inputs.Concat(Outputs)) column.Grow(capacity);
    }
}
