using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.Models;

/// <summary>
/// One input or output of a model, as MLflow's signature describes it: a named column of a scalar
/// type (<c>double float long integer string boolean binary datetime</c>) or a tensor with a dtype
/// and shape (-1 for the batch dimension).
/// </summary>
public sealed record ColumnSpec(string Name, string Type, string? TensorType = null, IReadOnlyList<long>? Shape = null)
{
    /// <summary>Whether the column is a tensor (with <see cref="TensorType"/> and <see cref="Shape"/>) rather than a scalar column.</summary>
    public bool IsTensor => Type == "tensor";

    /// <summary>The column in MLflow's signature JSON (every column marked required).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject();
        if (IsTensor)
        {
            json["type"] = "tensor";
            json["tensor-spec"] = new JsonObject { ["dtype"] = TensorType, ["shape"] = new JsonArray(Shape!.Select(d => JsonValue.Create(d)).ToArray<JsonNode?>()) };
        }
        else
        {
            json["type"] = Type;
        }
        json["name"] = Name;
        json["required"] = true;
        return json;
    }

    /// <summary>A column from MLflow's signature JSON; a missing name reads as empty.</summary>
    /// <exception cref="CairnException">The column has no type, or a tensor column has no tensor-spec.</exception>
    public static ColumnSpec FromJson(JsonNode node)
    {
        var name = node["name"]?.GetValue<string>() ?? "";
        var type = node["type"]?.GetValue<string>() ?? throw CairnException.InvalidParameter("A signature column has no type.");
        if (type != "tensor") return new ColumnSpec(name, type);
        var spec = node["tensor-spec"] ?? throw CairnException.InvalidParameter($"Tensor column '{name}' has no tensor-spec.");
        return new ColumnSpec(name, type, spec["dtype"]?.GetValue<string>(), spec["shape"]?.AsArray().Select(d => d!.GetValue<long>()).ToList());
    }
}

/// <summary>A model's inputs and outputs, stored in MLmodel as JSON strings, as MLflow does.</summary>
public sealed record ModelSignature(IReadOnlyList<ColumnSpec> Inputs, IReadOnlyList<ColumnSpec> Outputs)
{
    /// <summary>Columns as the JSON array text MLmodel stores.</summary>
    public static string ToJsonText(IEnumerable<ColumnSpec> columns) =>
        new JsonArray(columns.Select(c => (JsonNode)c.ToJson()).ToArray()).ToJsonString();

    /// <summary>Columns from MLmodel's JSON array text; none for null or blank text.</summary>
    /// <exception cref="CairnException">The text is not valid JSON or a column is invalid.</exception>
    public static IReadOnlyList<ColumnSpec> FromJsonText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        try
        {
            return JsonNode.Parse(text)!.AsArray().Select(n => ColumnSpec.FromJson(n!)).ToList();
        }
        catch (JsonException e)
        {
            throw CairnException.InvalidParameter($"The model signature is not valid JSON: {e.Message}");
        }
    }
}
