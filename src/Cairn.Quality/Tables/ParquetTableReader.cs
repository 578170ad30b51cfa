using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Schema;

namespace Cairn.Quality.Tables;

/// <summary>
/// A Parquet file read one row group at a time, only the columns asked for. Flat columns are
/// read; nested and repeated ones are listed as strings that hold nothing a check can use.
/// </summary>
public sealed class ParquetTableReader : ITableReader
{
    private readonly FileStream _stream;
    private readonly ParquetReader _reader;
    private readonly DataField[] _dataFields;

    public string Source { get; }
    public IReadOnlyList<TableField> Fields { get; }

    private ParquetTableReader(FileStream stream, ParquetReader reader, string source)
    {
        _stream = stream;
        _reader = reader;
        Source = source;
        _dataFields = reader.Schema.GetDataFields();
        Fields = _dataFields.Select(f => new TableField(f.Path.ToString(), TypeOf(f))).ToList();
    }

    public static async Task<ParquetTableReader> OpenAsync(string path, string? source = null, CancellationToken ct = default)
    {
        source ??= path;
        var stream = new CallerThreadFileStream(path);
        try
        {
            if (stream.Length == 0) throw CairnException.InvalidParameter($"{source} is empty: it is not a Parquet file.");
            var reader = await ParquetReader.CreateAsync(stream, cancellationToken: ct).ConfigureAwait(false);
            return new ParquetTableReader(stream, reader, source);
        }
        catch (Exception e) when (IsFormatError(e) || e is IOException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw CairnException.InvalidParameter($"{source} is not a readable Parquet file: {e.Message}");
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Parquet.Net 6 declares string columns it reads as <c>ReadOnlyMemory&lt;char&gt;</c>; both read as strings.</summary>
    private static bool IsText(Type type) => type == typeof(string) || type == typeof(ReadOnlyMemory<char>);

    private static bool IsFormatError(Exception e) =>
        e is ParquetException or InvalidDataException or NotSupportedException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or EndOfStreamException or OverflowException;

    private static ColumnType? TypeOf(DataField field)
    {
        if (field.IsArray) return ColumnType.String;
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (IsText(type)) return ColumnType.String;
        if (type == typeof(bool)) return ColumnType.Boolean;
        if (type == typeof(float) || type == typeof(double) || type == typeof(decimal)) return ColumnType.Number;
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(DateOnly)) return ColumnType.Timestamp;
        if (type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(sbyte)
            || type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort) || type == typeof(byte)) return ColumnType.Integer;
        return ColumnType.String;
    }

    public async IAsyncEnumerable<TableBatch> ReadAsync(IReadOnlySet<int> fields, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var group = 0; group < _reader.RowGroupCount; group++)
        {
            ct.ThrowIfCancellationRequested();
            TableBatch batch;
            try
            {
                using var rowGroup = _reader.OpenRowGroupReader(group);
                var rows = checked((int)rowGroup.RowCount);
                var columns = new Dictionary<int, ColumnValues>();
                foreach (var f in fields) columns[f] = await ReadColumnAsync(rowGroup, _dataFields[f], rows, ct).ConfigureAwait(false);
                batch = new TableBatch(rows, columns);
            }
            catch (Exception e) when (IsFormatError(e))
            {
                throw CairnException.InvalidParameter($"{Source}: row group {group + 1} cannot be read: {e.Message}");
            }
            yield return batch;
        }
    }

    private static async Task<ColumnValues> ReadColumnAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken ct)
    {
        if (field.IsArray) return new TextValues(new string?[rows], rows);
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (IsText(type))
        {
            var text = new string?[rows];
            await rowGroup.ReadAsync(field, text.AsMemory(), null, ct).ConfigureAwait(false);
            return new TextValues(text, rows);
        }
        if (type == typeof(bool)) return Numbers(await ReadAsync<bool>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v ? 1 : 0, rows, booleans: true);
        if (type == typeof(double)) return Numbers(await ReadAsync<double>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v, rows);
        if (type == typeof(float)) return Numbers(await ReadAsync<float>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v, rows);
        if (type == typeof(decimal)) return Numbers(await ReadAsync<decimal>(rowGroup, field, rows, ct).ConfigureAwait(false), v => (double)v, rows);
        if (type == typeof(long)) return Integers(await ReadAsync<long>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v, rows);
        if (type == typeof(int)) return Integers(await ReadAsync<int>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v, rows);
        if (type == typeof(short)) return Integers(await ReadAsync<short>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v, rows);
        if (type == typeof(sbyte)) return Integers(await ReadAsync<sbyte>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v, rows);
        if (type == typeof(byte)) return Integers(await ReadAsync<byte>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v, rows);
        if (type == typeof(ushort)) return Integers(await ReadAsync<ushort>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v, rows);
        if (type == typeof(uint)) return Integers(await ReadAsync<uint>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v, rows);
        if (type == typeof(ulong)) return Integers(await ReadAsync<ulong>(rowGroup, field, rows, ct).ConfigureAwait(false), v => unchecked((long)v), rows);
        if (type == typeof(DateTime))
            return Timestamps(await ReadAsync<DateTime>(rowGroup, field, rows, ct).ConfigureAwait(false), v => new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)), rows);
        if (type == typeof(DateTimeOffset)) return Timestamps(await ReadAsync<DateTimeOffset>(rowGroup, field, rows, ct).ConfigureAwait(false), v => v, rows);
        if (type == typeof(DateOnly))
            return Timestamps(await ReadAsync<DateOnly>(rowGroup, field, rows, ct).ConfigureAwait(false), v => new DateTimeOffset(v.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), rows);
        return new TextValues(new string?[rows], rows); // a type no check reads (bytes, times of day, intervals)
    }

    /// <summary>A column's values and which of them are null.</summary>
    private static async Task<(T[] Values, bool[]? Missing)> ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int rows, CancellationToken ct) where T : struct
    {
        if (!field.IsNullable)
        {
            var values = new T[rows];
            await rowGroup.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
            return (values, null);
        }
        var nullable = new T?[rows];
        await rowGroup.ReadAsync(field, nullable.AsMemory(), null, ct).ConfigureAwait(false);
        var result = new T[rows];
        var missing = new bool[rows];
        for (var i = 0; i < rows; i++)
        {
            if (nullable[i] is { } v) result[i] = v;
            else missing[i] = true;
        }
        return (result, missing);
    }

    private static NumberValues Numbers<T>((T[] Values, bool[]? Missing) read, Func<T, double> convert, int rows, bool booleans = false) =>
        new(Array.ConvertAll(read.Values, v => convert(v)), read.Missing, rows, booleans);

    private static IntegerValues Integers<T>((T[] Values, bool[]? Missing) read, Func<T, long> convert, int rows) =>
        new(Array.ConvertAll(read.Values, v => convert(v)), read.Missing, rows);

    private static TimestampValues Timestamps<T>((T[] Values, bool[]? Missing) read, Func<T, DateTimeOffset> convert, int rows) =>
        new(Array.ConvertAll(read.Values, v => convert(v)), read.Missing, rows);

    public async ValueTask DisposeAsync()
    {
        await _reader.DisposeAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>
/// A file whose asynchronous reads are done on the calling thread. On Linux, FileStream's ReadAsync
/// queues the read to the thread pool, so a reader called on a lowered-priority thread (a monitor
/// run in <c>cairn server</c>) would decode the rest of the file on normal-priority pool threads,
/// competing with requests. Local reads block briefly either way.
/// </summary>
internal sealed class CallerThreadFileStream(string path) : FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: false)
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Read(buffer, offset, count));
    }
}
