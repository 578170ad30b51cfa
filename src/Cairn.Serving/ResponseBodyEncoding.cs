using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Cairn.Serving;

/// <summary>
/// A composed response body compressed when the request's <c>Accept-Encoding</c> asks for gzip or
/// deflate (zlib-framed, as HTTP defines it), as Triton's client asks with
/// <c>response_compression_algorithm</c>. Headers such as <c>Inference-Header-Content-Length</c>
/// keep counting the uncompressed body, as Triton's do.
/// </summary>
public static class ResponseBodyEncoding
{
    /// <summary>The encoding to answer with: gzip or deflate when accepted (gzip first on a tie), else null.</summary>
    public static string? Choose(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(HeaderNames.AcceptEncoding, out var header)
            || !StringWithQualityHeaderValue.TryParseList(header, out var accepted)) return null;
        string? best = null;
        var bestQuality = 0.0;
        foreach (var name in new[] { "gzip", "deflate" })
        {
            var quality = accepted.Where(a => a.Value.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(a => a.Quality ?? 1).DefaultIfEmpty(0).Max();
            if (quality > bestQuality) (best, bestQuality) = (name, quality);
        }
        return best;
    }

    /// <summary>Writes the body, compressed when the request accepts it, with its Content-Length.</summary>
    public static async Task WriteAsync(HttpContext http, ReadOnlyMemory<byte> body)
    {
        http.Response.Headers.Vary = HeaderNames.AcceptEncoding;
        if (Choose(http.Request) is { } encoding)
        {
            using var compressed = new MemoryStream(body.Length / 4 + 64);
            using (Stream compressor = encoding == "gzip"
                ? new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)
                : new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
                compressor.Write(body.Span);
            http.Response.Headers.ContentEncoding = encoding;
            body = compressed.GetBuffer().AsMemory(0, (int)compressed.Length);
        }
        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }
}
