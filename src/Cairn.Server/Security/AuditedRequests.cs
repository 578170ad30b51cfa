using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Security;

/// <summary>Which requests the audit log records, and the resource ids it notes for them.</summary>
public static class AuditedRequests
{
    /// <summary>POST endpoints that only read (MLflow searches with a body, lookups): not recorded.</summary>
    public static readonly IReadOnlyList<string> ReadOnlyPosts =
        ["/api/2.0/cairn/experiments/run-summaries", "/api/2.0/cairn/features/online", "/get-online-features"];

    /// <summary>The ids looked for, in the query string, a JSON request body and a JSON response.</summary>
    public static readonly IReadOnlyList<string> IdKeys = ["experiment_id", "run_id", "name", "version", "alias", "model_id", "username", "key"];

    /// <summary>The largest body scanned for ids.</summary>
    public const int MaxScannedBytes = 64 * 1024;
    private const int MaxDepth = 3;

    /// <summary>
    /// Whether the request may change something: any method but GET, HEAD and OPTIONS, except
    /// POSTs to paths ending in <c>/search</c> or <c>/get</c> and the <see cref="ReadOnlyPosts"/>.
    /// </summary>
    public static bool MayChange(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)) return false;
        if (!HttpMethods.IsPost(request.Method)) return true;
        var path = request.Path.Value?.TrimEnd('/') ?? "";
        return !path.EndsWith("/search", StringComparison.OrdinalIgnoreCase)
            && !path.EndsWith("/get", StringComparison.OrdinalIgnoreCase)
            && !ReadOnlyPosts.Contains(path, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether a body of this type and length is small JSON worth scanning for ids.</summary>
    public static bool IsSmallJson(string? contentType, long? length) =>
        contentType is not null && contentType.Contains("json", StringComparison.OrdinalIgnoreCase) && length is null or <= MaxScannedBytes;

    /// <summary>
    /// Adds the <see cref="IdKeys"/> found in the query string, then in each JSON document (objects
    /// up to three levels deep), keeping the first value found for each key.
    /// </summary>
    public static void CollectIds(IDictionary<string, string> into, IQueryCollection query, params ReadOnlyMemory<byte>[] jsonDocuments)
    {
        foreach (var key in IdKeys)
            if (!into.ContainsKey(key) && query.TryGetValue(key, out var value) && value.ToString() is { Length: > 0 } text) into[key] = text;
        foreach (var json in jsonDocuments)
        {
            if (json.IsEmpty || json.Length > MaxScannedBytes) continue;
            try
            {
                using var document = JsonDocument.Parse(json);
                Collect(into, document.RootElement, 1);
            }
            catch (JsonException)
            {
                // Not JSON after all: the request is still recorded, without its ids.
            }
        }
    }

    private static void Collect(IDictionary<string, string> into, JsonElement element, int depth)
    {
        if (element.ValueKind != JsonValueKind.Object || depth > MaxDepth) return;
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number && IdKeys.Contains(property.Name) && !into.ContainsKey(property.Name))
                into[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            else if (property.Value.ValueKind == JsonValueKind.Object)
                Collect(into, property.Value, depth + 1);
        }
    }
}
