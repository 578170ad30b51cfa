using System.Text.Json;

namespace Cairn.Models;

/// <summary>
/// The one rule for missing values in scoring input, as MLflow applies it through pandas: JSON
/// null, NaN and the string "NaN" (any case) are missing. A float or double input takes a missing
/// value as NaN (trees and missing-value transforms know what to do with it); an input of any other
/// type refuses it with a message naming the column, never a failure inside the model.
/// </summary>
public static class MissingValues
{
    /// <summary>Whether a row value (a CLR value or a JSON element) is missing.</summary>
    public static bool IsMissing(object? value) => value switch
    {
        null => true,
        double d => double.IsNaN(d),
        float f => float.IsNaN(f),
        Half h => Half.IsNaN(h),
        string s => IsNaNText(s),
        JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => true,
        JsonElement { ValueKind: JsonValueKind.String } json => IsNaNText(json.GetString()),
        _ => false,
    };

    /// <summary>
    /// Whether a value is missing for an input of type <paramref name="type"/>: for a string
    /// input only null is, since "NaN" is a string like any other.
    /// </summary>
    public static bool IsMissingFor(Type type, object? value) => type == typeof(string)
        ? value is null or JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined }
        : IsMissing(value);

    /// <summary>"NaN" in any case (pandas reads "nan", "NaN" and "NAN" alike).</summary>
    public static bool IsNaNText(ReadOnlySpan<char> text) => text.Equals("NaN", StringComparison.OrdinalIgnoreCase);

    /// <summary>A CSV cell that is missing: empty, or NaN (what pandas' CSV reader turns into NaN).</summary>
    public static bool IsMissingCell(string cell) => cell.Length == 0 || IsNaNText(cell);

    /// <summary>Whether an input of this type can hold a missing value (as NaN).</summary>
    public static bool CanHold(Type type) => type == typeof(float) || type == typeof(double) || type == typeof(Half);

    /// <summary>The value a missing cell of column <paramref name="column"/> takes: NaN, or a 400 when <typeparamref name="T"/> cannot hold one.</summary>
    public static T Value<T>(string column, int row)
    {
        if (typeof(T) == typeof(float)) return (T)(object)float.NaN;
        if (typeof(T) == typeof(double)) return (T)(object)double.NaN;
        if (typeof(T) == typeof(Half)) return (T)(object)Half.NaN;
        throw Refused(column, TypeName(typeof(T)), row);
    }

    /// <summary>The error for a missing value where the column's type cannot hold one.</summary>
    public static CairnException Refused(string column, string type, long row) =>
        CairnException.InvalidParameter($"Column '{column}' is {type} and cannot be missing (row {row}).");

    /// <summary>A type's name as numpy and MLflow signatures spell it (int64, boolean, string ...).</summary>
    public static string TypeName(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.Int64 => "int64",
        TypeCode.Int32 => "int32",
        TypeCode.Int16 => "int16",
        TypeCode.SByte => "int8",
        TypeCode.UInt64 => "uint64",
        TypeCode.UInt32 => "uint32",
        TypeCode.UInt16 => "uint16",
        TypeCode.Byte => "uint8",
        TypeCode.Boolean => "boolean",
        TypeCode.String => "string",
        _ => type.Name.ToLowerInvariant(),
    };
}
