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
        // Buffered (Kestrel's body limit bounds it) so that a refused field can be quoted back as MLflow does.
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return Deserialize<T>(context, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), null, options);
    }

    /// <param name="malformed">What an earlier pass over the same bytes found wrong, if the deserializer does not.</param>
    public static T Deserialize<T>(HttpContext context, ReadOnlySpan<byte> json, JsonException? malformed = null, JsonSerializerOptions? options = null) where T : class
    {
        T? body;
        try
        {
            body = JsonSerializer.Deserialize<T>(json, options ?? CairnJson.Options);
        }
        catch (JsonException e)
        {
            throw Malformed(context, e, json);
        }
        if (malformed is not null) throw Malformed(context, malformed, json);
        return body ?? throw EmptyBody();
    }

    private static CairnException Malformed(HttpContext context, JsonException e, ReadOnlySpan<byte> json)
    {
        // MLflow's API answers a field of the wrong JSON type in its own words (INVALID_PARAMETER_VALUE);
        // Cairn's own endpoints keep BAD_REQUEST. Neither names a .NET type.
        if (IsMlflowApi(context) && JsonFieldErrors.WrongType(json, e.Path) is { } wrongType) return wrongType;
        var where = e.Path is { Length: > 1 } ? $" at {e.Path}" : "";
        var line = e.LineNumber is { } l ? $" (line {l + 1}, byte {e.BytePositionInLine + 1})" : "";
        return new CairnException(ErrorCodes.BadRequest, $"Malformed JSON request body{where}{line}: {Describe(e)}");
    }

    private static bool IsMlflowApi(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api/2.0/mlflow") || context.Request.Path.StartsWithSegments("/api/2.0/mlflow-artifacts");

    /// <summary>The serializer's sentence, unless it names a .NET type (a wrong JSON type for a field): then a plain one.</summary>
    private static string Describe(JsonException e)
    {
        var message = FirstSentence(e.Message);
        return message.Contains("could not be converted to", StringComparison.Ordinal)
            ? "the value is not of the type this field takes (a string, a number, a list or an object)."
            : message;
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
        return Task.FromResult(Deserialize<T>(context, JsonSerializer.SerializeToUtf8Bytes(fields, CairnJson.Options)));
    }

    public static IResult Json<T>(T value, int status = StatusCodes.Status200OK) =>
        Results.Json(value, CairnJson.Options, statusCode: status);

    public static IResult Empty() => Results.Text("{}", "application/json");

    public static string Require(string? value, string name) =>
        string.IsNullOrEmpty(value) ? throw JsonFieldErrors.Missing(name) : value;

    public static string? Query(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var values) ? values.ToString() : null;

    public static int? QueryInt(HttpContext context, string name)
    {
        var text = Query(context, name);
        if (string.IsNullOrEmpty(text)) return null;
        return int.TryParse(text, out var value)
            ? value
            : throw JsonFieldErrors.InvalidValue(name, System.Text.Json.Nodes.JsonValue.Create(text));
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
