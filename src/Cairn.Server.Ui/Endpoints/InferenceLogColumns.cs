using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Cairn.Server.Ui.Endpoints;

/// <summary>Reads one column of an inference log row group as numbers or as text, whatever type the serving writer gave it.</summary>
internal static class InferenceLogColumns
{
    /// <summary>A numeric column's values (null where missing).</summary>
    /// <exception cref="InvalidDataException">The column is not numeric.</exception>
    public static async Task<double?[]> NumbersAsync(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken ct)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (type == typeof(long)) return Convert(await ReadAsync<long>(rowGroup, field, count, ct).ConfigureAwait(false), v => v);
        if (type == typeof(int)) return Convert(await ReadAsync<int>(rowGroup, field, count, ct).ConfigureAwait(false), v => v);
        if (type == typeof(double)) return Convert(await ReadAsync<double>(rowGroup, field, count, ct).ConfigureAwait(false), v => v);
        if (type == typeof(float)) return Convert(await ReadAsync<float>(rowGroup, field, count, ct).ConfigureAwait(false), v => v);
        throw new InvalidDataException($"The column {field.Name} is not a number ({type.Name}).");
    }

    /// <summary>A text column's values.</summary>
    public static async Task<string?[]> TextsAsync(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken ct)
    {
        var texts = new string?[count];
        await rowGroup.ReadAsync(field, texts.AsMemory(), null, ct).ConfigureAwait(false);
        return texts;
    }

    /// <summary>Any column the serving writer writes (numbers, booleans, text) as text: numbers invariant, booleans <c>true</c>/<c>false</c>.</summary>
    public static async Task<string?[]> AsTextAsync(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken ct)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (type == typeof(bool))
            return Array.ConvertAll(await ReadAsync<bool>(rowGroup, field, count, ct).ConfigureAwait(false), v => v is { } b ? (b ? "true" : "false") : null);
        if (type == typeof(long) || type == typeof(int) || type == typeof(double) || type == typeof(float))
            return Array.ConvertAll(await NumbersAsync(rowGroup, field, count, ct).ConfigureAwait(false), v => v?.ToString(CultureInfo.InvariantCulture));
        return await TextsAsync(rowGroup, field, count, ct).ConfigureAwait(false);
    }

    private static double?[] Convert<T>(T?[] values, Func<T, double> convert) where T : struct =>
        Array.ConvertAll(values, v => v is { } x ? convert(x) : (double?)null);

    private static async Task<T?[]> ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken ct) where T : struct
    {
        if (field.IsNullable)
        {
            var nullable = new T?[count];
            await rowGroup.ReadAsync(field, nullable.AsMemory(), null, ct).ConfigureAwait(false);
            return nullable;
        }
        var values = new T[count];
        await rowGroup.ReadAsync(field, values.AsMemory(), null, ct).ConfigureAwait(false);
        return Array.ConvertAll(values, v => (T?)v);
    }
}
