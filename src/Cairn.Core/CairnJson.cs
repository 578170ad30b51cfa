using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn;

/// <summary>
/// The JSON shape of MLflow's REST API: snake_case fields, enums as upper-case names, NaN and
/// infinities as the strings protobuf's JSON mapping uses, and int64 accepted as numbers or strings.
/// </summary>
public static class CairnJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>
    /// The same shape, escaping only what JSON itself requires, so that an apostrophe reads as ' and
    /// not \u0027: for what people read (error bodies, the CLI's output). Never for JSON put inside HTML.
    /// </summary>
    public static JsonSerializerOptions Readable { get; } = new(Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
            AllowTrailingCommas = false,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
