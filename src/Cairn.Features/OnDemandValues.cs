using System.Globalization;
using System.Text.Json;

namespace Cairn.Features;

/// <summary>
/// The one form on-demand functions see and give values in, whatever they came from (JSON, the
/// online store, DuckDB): <c>long</c>, <c>double</c>, <c>string</c>, <c>bool</c>, a UTC
/// <see cref="DateTimeOffset"/>, or null. Online and offline both pass through here, so a function
/// never sees an int on one side and a long on the other.
/// </summary>
internal static class OnDemandValues
{
    /// <summary>A request value (JSON, or a CLR value from C# or the CLI) as <paramref name="field"/>'s type.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the row and field.</exception>
    public static object? Request(object? value, FeatureField field, int row, string view) =>
        (field.Type, value) switch
        {
            (_, null) or (_, JsonElement { ValueKind: JsonValueKind.Null }) => null,
            (FeatureType.Int64, JsonElement { ValueKind: JsonValueKind.Number } e) when e.TryGetInt64(out var l) => l,
            (FeatureType.Double, JsonElement { ValueKind: JsonValueKind.Number } e) => e.GetDouble(),
            (FeatureType.String, JsonElement { ValueKind: JsonValueKind.String } e) => e.GetString(),
            (FeatureType.Bool, JsonElement { ValueKind: JsonValueKind.True or JsonValueKind.False } e) => e.GetBoolean(),
            (FeatureType.Timestamp, JsonElement { ValueKind: JsonValueKind.String } e) when e.TryGetDateTimeOffset(out var t) => t.ToUniversalTime(),
            (FeatureType.Double, long or int) => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            _ => Stored(value, field) ?? throw CairnException.InvalidParameter(
                $"Entity row {row + 1}: request field '{field.Name}' of on-demand feature view '{view}' must be {field.Type.Name()}, got {Describe(value)}."),
        };

    /// <summary>A stored or joined value in the canonical form; null when it is not of <paramref name="field"/>'s type.</summary>
    public static object? Stored(object? value, FeatureField field) => (field.Type, value) switch
    {
        (FeatureType.Int64, long l) => l,
        (FeatureType.Int64, int or short or sbyte or byte or ushort or uint) => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        (FeatureType.Double, double d) => d,
        (FeatureType.Double, float f) => (double)f,
        (FeatureType.String, string s) => s,
        (FeatureType.Bool, bool b) => b,
        (FeatureType.Timestamp, DateTimeOffset t) => t.ToUniversalTime(),
        (FeatureType.Timestamp, DateTime { Kind: not DateTimeKind.Local } t) => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        _ => null,
    };

    public static string Describe(object? value) => value switch
    {
        null => "null",
        JsonElement e => $"JSON {e.ValueKind.ToString().ToLowerInvariant()} {Truncate(e.GetRawText())}",
        string s => $"the string \"{Truncate(s)}\"",
        _ => $"a {value.GetType().Name} ({Truncate(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")})",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
