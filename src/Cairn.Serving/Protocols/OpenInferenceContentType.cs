using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Cairn.Serving.Protocols;

/// <summary>
/// The content types the <c>/v2</c> infer route reads: what the OIP clients send, and a 415 for
/// anything else (a CSV or a form posted to the wrong route fails clearly instead of as bad JSON).
/// </summary>
public static class OpenInferenceContentType
{
    /// <summary>
    /// <c>application/json</c> (any charset that is UTF-8); <c>application/octet-stream</c>, which
    /// the binary tensor data extension's clients send (KServe's, Triton's aio client); none at all,
    /// as Triton's <c>tritonclient.http</c> sends; and <c>application/x-www-form-urlencoded</c>, which
    /// is curl's default for <c>-d</c>/<c>--data-binary</c> and what Triton's and KServe's curl
    /// examples send (the body is read as the request, never as a form).
    /// </summary>
    public static void Check(HttpRequest request)
    {
        var header = request.ContentType;
        if (string.IsNullOrWhiteSpace(header)) return;
        if (!MediaTypeHeaderValue.TryParse(header, out var type))
            throw Unsupported($"Content-Type '{header}' is not a media type: send application/json, or application/octet-stream with binary tensor data.");
        var media = type.MediaType.Value?.ToLowerInvariant();
        if (media is "application/json" or "application/octet-stream" or "application/x-www-form-urlencoded")
        {
            var charset = HeaderUtilities.RemoveQuotes(type.Charset).Value;
            if (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
                return;
            throw Unsupported($"Content-Type '{header}': the request must be UTF-8 JSON.");
        }
        throw Unsupported($"Content-Type '{header}' is not supported on the Open Inference Protocol: send application/json, or application/octet-stream with binary tensor data.");
    }

    private static CairnException Unsupported(string message) => new("UNSUPPORTED_MEDIA_TYPE", message);
}
