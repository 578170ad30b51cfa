using System.Text.Json;
using Cairn.Server.Endpoints;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Security;

/// <summary>Where an endpoint's rule finds the ids it checks: query string, JSON body or route.</summary>
public sealed record Field
{
    private Field(FieldSource source, string[] names) => (Source, Names) = (source, names);

    internal FieldSource Source { get; }

    /// <summary>The names tried in order (MLflow's run_id, then its older run_uuid).</summary>
    internal string[] Names { get; }

    /// <summary>The value when the request names none (runs/create puts a run in experiment 0).</summary>
    internal string? Default { get; private init; }

    /// <summary>Whether the field holds a list (repeated in the query string, an array in the body).</summary>
    internal bool IsList { get; private init; }

    /// <summary>A query string parameter (repeated for a list).</summary>
    public static Field Query(params string[] names) => new(FieldSource.Query, names);

    /// <summary>A top-level field of the JSON body (a string, or a list of strings).</summary>
    public static Field Body(params string[] names) => new(FieldSource.Body, names);

    /// <summary>The body when the request has one, else the query string, as the endpoints read DELETE parameters; the query string for a GET.</summary>
    public static Field BodyOrQuery(params string[] names) => new(FieldSource.BodyOrQuery, names);

    /// <summary>A route value (<c>{modelId}</c>).</summary>
    public static Field Route(string name) => new(FieldSource.Route, [name]);

    /// <summary>The same field with a value for requests that name none.</summary>
    public Field Or(string fallback) => this with { Default = fallback };

    /// <summary>The same field holding a list of ids.</summary>
    public Field List() => this with { IsList = true };
}

internal enum FieldSource { Query, Body, BodyOrQuery, Route }

/// <summary>
/// The values of a request's fields as its endpoint will read them: the body is parsed with the
/// same rules as the endpoint's deserializer (names matched without case, the last of a repeated
/// name wins), so that the id checked is the id acted on.
/// </summary>
internal sealed class RequestFields(HttpContext http)
{
    private byte[]? body;
    private int length;

    public HttpContext Http => http;

    /// <summary>
    /// Reads the body into memory once and gives the endpoint that copy to read (in memory: a
    /// buffered request stream would spill large bodies such as log-batch to a file).
    /// </summary>
    public async Task LoadBodyAsync()
    {
        if (body is not null || !HasBody()) return;
        var buffer = new MemoryStream(http.Request.ContentLength is > 0 and <= 1 << 20 ? (int)http.Request.ContentLength : 16 * 1024);
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        (body, length) = (buffer.GetBuffer(), (int)buffer.Length);
        http.Request.Body = new MemoryStream(body, 0, length, writable: false);
    }

    public bool NeedsBody(Field field) => field.Source switch
    {
        FieldSource.Body => true,
        FieldSource.BodyOrQuery => !IsGet() && HasBody(),
        _ => false,
    };

    /// <summary>The field's values; its default or a 400 naming it when the request has none.</summary>
    public IReadOnlyList<string> Values(Field field)
    {
        foreach (var name in field.Names)
        {
            var values = Read(field.Source, name, field.IsList);
            if (values.Count > 0) return values;
        }
        return field.Default is { } fallback ? [fallback] : throw JsonFieldErrors.Missing(field.Names[0]);
    }

    private List<string> Read(FieldSource source, string name, bool list) => source switch
    {
        // A repeated scalar parameter reaches the endpoint joined with commas: check that very value.
        FieldSource.Query when list => http.Request.Query[name].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList(),
        FieldSource.Query => http.Request.Query[name].ToString() is { Length: > 0 } joined ? [joined] : [],
        FieldSource.Route => http.Request.RouteValues.TryGetValue(name, out var v) && v?.ToString() is { Length: > 0 } s ? [s] : [],
        FieldSource.Body => FromBody(name, list),
        _ => !IsGet() && HasBody() ? FromBody(name, list) : Read(FieldSource.Query, name, list),
    };

    /// <summary>
    /// The top-level field's value, scanning the whole body (a malformed one is refused as the
    /// endpoint would refuse it) without building a document: log-batch bodies are large.
    /// </summary>
    private List<string> FromBody(string name, bool list)
    {
        if (body is null) return [];
        var reader = new Utf8JsonReader(body.AsSpan(0, length));
        List<string> found = [];
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new CairnException(ErrorCodes.BadRequest, "The request body is not a JSON object.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var matches = string.Equals(reader.GetString(), name, StringComparison.OrdinalIgnoreCase);
                reader.Read();
                if (!matches)
                {
                    reader.Skip();
                    continue;
                }
                found = reader.TokenType switch
                {
                    JsonTokenType.Null => [],
                    JsonTokenType.String when !list => reader.GetString() is { Length: > 0 } one ? [one] : [],
                    JsonTokenType.StartArray when list => Strings(ref reader, name),
                    _ => throw WrongType(name),
                };
            }
            while (reader.Read()) { } // the rest must be well-formed too
        }
        catch (JsonException e)
        {
            throw new CairnException(ErrorCodes.BadRequest, $"Malformed JSON request body (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
        return found;
    }

    /// <summary>MLflow's words for a field of the wrong type, quoting the value.</summary>
    private CairnException WrongType(string name) =>
        JsonFieldErrors.WrongType(body.AsSpan(0, length), "$." + name) ?? JsonFieldErrors.Missing(name);

    private static List<string> Strings(ref Utf8JsonReader reader, string name)
    {
        var values = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String) throw new CairnException(ErrorCodes.InvalidParameterValue, $"Invalid value for parameter '{name}': a list of strings is expected.");
            if (reader.GetString() is { Length: > 0 } value) values.Add(value);
        }
        return values;
    }

    private bool IsGet() => HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);

    private bool HasBody() => http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0;
}
