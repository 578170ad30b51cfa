using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Cairn.Serving.Protocols;

/// <summary>
/// The Content-Type checks of MLflow's scoring server, with its 415 plain-text answers: only
/// <c>application/json</c> and <c>text/csv</c>, only the <c>charset</c> parameter, only UTF-8.
/// A request without a Content-Type is read as JSON (MLflow's server fails on it; curl's
/// <c>--json</c> and most clients send one anyway).
/// </summary>
public static class ScoringMediaType
{
    public const string Json = "application/json", Csv = "text/csv";

    /// <summary>Null and the media type when the request may be read; else the 415 to answer.</summary>
    public static IResult? Check(string? contentType, out string mediaType)
    {
        mediaType = Json;
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var parts = contentType.Split(';').Select(p => p.Trim()).ToList();
        var parameters = parts.Skip(1).Where(p => p.Length > 0).Select(p =>
        {
            var at = p.IndexOf('=');
            return at < 0 ? (Name: p, Value: "") : (Name: p[..at].Trim(), Value: p[(at + 1)..].Trim().Trim('"'));
        }).ToList();
        var charset = parameters.LastOrDefault(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)).Value ?? "utf-8";
        if (!charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return Unsupported("The scoring server only supports UTF-8");
        var unexpected = parameters.Where(p => !p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase)).Select(p => p.Name).Distinct().ToList();
        if (unexpected.Count > 0)
            return Unsupported($"Unrecognized content type parameters: {string.Join(", ", unexpected)}. "
                + "Since MLflow 2.0 the input format goes in the JSON body (dataframe_split, dataframe_records, instances or inputs), not in the Content-Type.");
        mediaType = parts[0].ToLowerInvariant();
        if (mediaType is Json or Csv) return null;
        return Unsupported($"This predictor only supports the following content types: Types: ['{Csv}', '{Json}']. Got '{contentType}'.");
    }

    /// <summary>True when the Accept header prefers <c>text/csv</c> to JSON (SageMaker batch transform's <c>Accept</c>).</summary>
    public static bool WantsCsv(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)) return false;
        foreach (var type in accepted.OrderByDescending(t => t.Quality ?? 1.0)) // stable: the first listed wins a tie
        {
            if (type.Quality == 0) continue;
            if (type.MediaType.Equals(Csv, StringComparison.OrdinalIgnoreCase)) return true;
            if (type.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase) || type.MatchesAllTypes || type.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase)) return false;
        }
        return false;
    }

    private static IResult Unsupported(string message) => Results.Text(message, "text/plain", System.Text.Encoding.UTF8, StatusCodes.Status415UnsupportedMediaType);
}
