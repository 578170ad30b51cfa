using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Endpoints;

/// <summary>Reading MLflow request bodies and query strings, and writing MLflow-shaped JSON.</summary>
internal static class ApiIo
{
    public static Task<T> ReadBodyAsync<T>(HttpContext context) where T : class => ReadBodyAsync<T>(context, CairnJson.Options);

    /// <param name="options">Other JSON options than the API's usual ones, such as refusing unknown fields.</param>
    public static async Task<T> ReadBodyAsync<T>(HttpContext context, JsonSerializerOptions options) where T : class
    {
        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, options, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
        return body ?? throw EmptyBody();
    }

    /// <param name="malformed">What an earlier pass over the same bytes found wrong, if the deserializer does not.</param>
    public static T Deserialize<T>(ReadOnlySpan<byte> json, JsonException? malformed = null) where T : class
    {
        T? body;
        try
        {
            body = JsonSerializer.Deserialize<T>(json, CairnJson.Options);
        }
        catch (JsonException e)
        {
            throw Malformed(e);
        }
        if (malformed is not null) throw Malformed(malformed);
        return body ?? throw EmptyBody();
    }

    private static CairnException Malformed(JsonException e)
    {
        var where = e.Path is { Length: > 1 } ? $" at {e.Path}" : "";
        var line = e.LineNumber is { } l ? $" (line {l + 1}, byte {e.BytePositionInLine + 1})" : "";
        return new CairnException(ErrorCodes.BadRequest, $"Malformed JSON request body{where}{line}: {FirstSentence(e.Message)}");
    }

    private static CairnException EmptyBody() =>
        new(ErrorCodes.BadRequest, "The request body is empty or null; send a JSON object.");

    /// <summary>
    /// MLflow's clients send DELETE parameters in a JSON body, others send them in the query
    /// string: take whichever is there.
    /// </summary>
    public static Task<T> ReadBodyOrQueryAsync<T>(HttpContext context) where T : class
    {
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            return ReadBodyAsync<T>(context);
        var fields = new System.Text.Json.Nodes.JsonObject();
        foreach (var (key, value) in context.Request.Query) fields[key] = value.ToString();
        return Task.FromResult(fields.Deserialize<T>(CairnJson.Options)!);
    }

    public static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, CairnJson.Options, statusCode: status);

    public static IResult Empty() => Results.Text("{}", "application/json");

    public static string Require(string? value, string name) =>
        string.IsNullOrEmpty(value)
            ? throw CairnException.InvalidParameter($"Missing value for required parameter '{name}'.")
            : value;

    public static string? Query(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var values) ? values.ToString() : null;

    public static int? QueryInt(HttpContext context, string name)
    {
        var text = Query(context, name);
        if (string.IsNullOrEmpty(text)) return null;
        return int.TryParse(text, out var value)
            ? value
            : throw CairnException.InvalidParameter($"Invalid value '{text}' for parameter '{name}': expected an integer.");
    }

    public static int ToMaxResults(long? value, int fallback, int max)
    {
        if (value is null) return fallback;
        if (value < 1 || value > max)
            throw CairnException.InvalidParameter($"Invalid value {value} for parameter 'max_results': it must be between 1 and {max}.");
        return (int)value;
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
