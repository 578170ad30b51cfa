using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Cairn.Server.Tests;

/// <summary>Raw JSON over HTTP, as an MLflow client sends it: no Cairn types on the client side.</summary>
internal static class Json
{
    public static async Task<(int Status, JsonNode? Body)> PostAsync(HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(int Status, JsonNode? Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public static async Task<JsonNode> OkAsync(Task<(int Status, JsonNode? Body)> call)
    {
        var (status, body) = await call;
        Assert.True(status == 200, $"expected 200, got {status}: {body?.ToJsonString()}");
        return body!;
    }

    private static async Task<JsonNode?> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public static string Str(JsonNode? node) => node!.GetValue<string>();
}
