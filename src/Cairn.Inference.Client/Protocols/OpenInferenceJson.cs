using System.Text.Json;

namespace Cairn.Serving.Protocols;

/// <summary>Tensor data as the Open Inference Protocol's JSON writes it.</summary>
public static class OpenInferenceJson
{
    /// <summary>Writes a tensor's values as a flat JSON array, non-finite floats as strings.</summary>
    public static void WriteData(Utf8JsonWriter json, Array data)
    {
        json.WriteStartArray();
        // By the exact element type: the runtime lets a uint[] pass for an int[] in a pattern match.
        switch (Type.GetTypeCode(data.GetType().GetElementType()))
        {
            case TypeCode.Single: foreach (var v in (float[])data) WriteFloat(json, v); break;
            case TypeCode.Double: foreach (var v in (double[])data) WriteFloat(json, v); break;
            case TypeCode.Int64: foreach (var v in (long[])data) json.WriteNumberValue(v); break;
            case TypeCode.Int32: foreach (var v in (int[])data) json.WriteNumberValue(v); break;
            case TypeCode.UInt64: foreach (var v in (ulong[])data) json.WriteNumberValue(v); break;
            case TypeCode.UInt32: foreach (var v in (uint[])data) json.WriteNumberValue(v); break;
            case TypeCode.Boolean: foreach (var v in (bool[])data) json.WriteBooleanValue(v); break;
            case TypeCode.String: foreach (var v in (string[])data) json.WriteStringValue(v); break;
            default: // small integers; nulls where a row had no value
                foreach (var v in data)
                    if (v is float f) WriteFloat(json, f);
                    else if (v is double d) WriteFloat(json, d);
                    else JsonSerializer.Serialize(json, v, v?.GetType() ?? typeof(object));
                break;
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// A number; NaN and the infinities, which JSON numbers cannot hold, as the strings "NaN",
    /// "Infinity" and "-Infinity" (as .NET's named floating-point literals and JavaScript name them).
    /// </summary>
    private static void WriteFloat(Utf8JsonWriter json, float value)
    {
        if (float.IsFinite(value)) json.WriteNumberValue(value);
        else json.WriteStringValue(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void WriteFloat(Utf8JsonWriter json, double value)
    {
        if (double.IsFinite(value)) json.WriteNumberValue(value);
        else json.WriteStringValue(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
