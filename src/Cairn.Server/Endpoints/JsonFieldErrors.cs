using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.Server.Endpoints;

/// <summary>
/// MLflow's own wording for a request field that is missing or of the wrong type (its handlers'
/// schema checks): <c>Invalid value 31 for parameter 'run_id' supplied:  Hint: Value was of type
/// 'int'. See the API docs for more information about request parameters.</c> The value is quoted
/// as Python's <c>json.dumps(value, sort_keys=True, separators=(",", ":"))</c> writes it and the
/// type is Python's name for it, so that MLflow's clients and tests read the same text from Cairn.
/// </summary>
internal static class JsonFieldErrors
{
    private const string ApiDocsHint = " See the API docs for more information about request parameters.";

    public static CairnException Missing(string name) =>
        CairnException.InvalidParameter($"Missing value for required parameter '{name}'.{ApiDocsHint}");

    public static CairnException InvalidValue(string name, JsonNode? value) =>
        CairnException.InvalidParameter(
            $"Invalid value {PythonJson(value)} for parameter '{name}' supplied:  Hint: Value was of type '{PythonType(value)}'.{ApiDocsHint}");

    /// <summary>
    /// The error for a body that is valid JSON but whose field at <paramref name="path"/> (the
    /// serializer's <c>$.field...</c>) has the wrong type; null when the body is not a JSON object
    /// or the field cannot be found (then it is malformed, not mistyped).
    /// </summary>
    public static CairnException? WrongType(ReadOnlySpan<byte> json, string? path)
    {
        if (TopLevelField(path) is not { } field) return null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
        if (root is not JsonObject body) return null;
        foreach (var (name, value) in body)
            if (string.Equals(name, field, StringComparison.OrdinalIgnoreCase))
                return InvalidValue(name, value);
        return null;
    }

    /// <summary><c>$.run_id</c>, <c>$.tags[0].key</c> or <c>$['odd name']</c>: the body's field the path starts in.</summary>
    internal static string? TopLevelField(string? path)
    {
        if (path is null || !path.StartsWith('$') || path.Length < 3) return null;
        if (path[1] == '.')
        {
            var end = path.IndexOfAny(['.', '['], 2);
            return end < 0 ? path[2..] : path[2..end];
        }
        if (path.StartsWith("$['", StringComparison.Ordinal))
        {
            var end = path.IndexOf("']", 3, StringComparison.Ordinal);
            return end < 0 ? null : path[3..end];
        }
        return null;
    }

    internal static string PythonType(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "NoneType",
        JsonValueKind.String => "str",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "list",
        JsonValueKind.Object => "dict",
        _ => IsInteger(value!) ? "int" : "float",
    };

    private static bool IsInteger(JsonNode number) => number.ToJsonString().IndexOfAny(['.', 'e', 'E']) < 0;

    /// <summary>Python's <c>json.dumps</c> with sorted keys, compact separators and ASCII-only output.</summary>
    internal static string PythonJson(JsonNode? value)
    {
        var text = new StringBuilder();
        Write(text, value);
        return text.ToString();
    }

    private static void Write(StringBuilder text, JsonNode? value)
    {
        switch (value?.GetValueKind())
        {
            case null or JsonValueKind.Null: text.Append("null"); break;
            case JsonValueKind.True: text.Append("true"); break;
            case JsonValueKind.False: text.Append("false"); break;
            case JsonValueKind.String: WriteString(text, value.GetValue<string>()); break;
            case JsonValueKind.Number: text.Append(value.ToJsonString()); break;
            case JsonValueKind.Array:
                text.Append('[');
                var first = true;
                foreach (var item in value.AsArray())
                {
                    if (!first) text.Append(',');
                    first = false;
                    Write(text, item);
                }
                text.Append(']');
                break;
            case JsonValueKind.Object:
                text.Append('{');
                var firstField = true;
                foreach (var (name, item) in value.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!firstField) text.Append(',');
                    firstField = false;
                    WriteString(text, name);
                    text.Append(':');
                    Write(text, item);
                }
                text.Append('}');
                break;
        }
    }

    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7e) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else text.Append(c);
                    break;
            }
        }
        text.Append('"');
    }
}
