using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cairn.Serving;

/// <summary>
/// A compressed request body read as it was before compression: <c>Content-Encoding: gzip</c> or
/// <c>deflate</c> (as Triton's client sends with <c>request_compression_algorithm</c>), bounded by the
/// server's request body limit after decompression, so a small body that inflates past it is a 413.
/// Any route may use it; the <c>/v2</c> infer route does.
/// </summary>
public static class RequestBodyDecoding
{
    /// <summary>Kestrel's default request body limit, for a server (or test host) that reports none.</summary>
    private const long DefaultLimit = 30_000_000;

    /// <summary>
    /// Replaces the request's body with its decompressed content when it has a <c>Content-Encoding</c>;
    /// 415 for an encoding other than gzip, deflate or identity. Afterwards the body's length is
    /// unknown (<c>ContentLength</c> is null) and the request has no <c>Content-Encoding</c>.
    /// </summary>
    public static void Decode(HttpContext http)
    {
        var encodings = http.Request.Headers.ContentEncoding.ToString()
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(e => !e.Equals("identity", StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (encodings.Count == 0) return;
        if (encodings.Count > 1)
            throw Unsupported($"Content-Encoding '{http.Request.Headers.ContentEncoding}' is not supported: send one of gzip or deflate, or none.");
        var encoding = encodings[0].ToLowerInvariant();
        var limit = http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? DefaultLimit;
        Stream decoded = encoding switch
        {
            "gzip" or "x-gzip" => new GZipStream(http.Request.Body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new DeflateBody(http.Request.Body),
            _ => throw Unsupported($"Content-Encoding '{encodings[0]}' is not supported: send one of gzip or deflate, or none."),
        };
        http.Request.Body = new BoundedStream(decoded, limit, encoding);
        http.Response.RegisterForDispose(decoded);
        http.Request.Headers.ContentEncoding = default;
        http.Request.ContentLength = null;
    }

    private static CairnException Unsupported(string message) => new("UNSUPPORTED_MEDIA_TYPE", message);

    /// <summary>
    /// HTTP's <c>deflate</c> is the zlib format (RFC 9110), which Triton's client sends; some clients
    /// send raw deflate instead. The first two bytes tell them apart: a zlib header is a multiple of 31
    /// with compression method 8.
    /// </summary>
    private sealed class DeflateBody(Stream compressed) : ReadOnlyStream
    {
        private Stream? _inner;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            _inner ??= await OpenAsync(ct);
            return await _inner.ReadAsync(buffer, ct);
        }

        private async Task<Stream> OpenAsync(CancellationToken ct)
        {
            var head = new byte[2];
            var read = 0;
            while (read < 2 && await compressed.ReadAsync(head.AsMemory(read), ct) is var n and > 0) read += n;
            var zlib = read == 2 && (head[0] & 0x0F) == 8 && ((head[0] << 8) | head[1]) % 31 == 0;
            var rest = new PrefixedStream(head.AsMemory(0, read), compressed);
            return zlib ? new ZLibStream(rest, CompressionMode.Decompress) : new DeflateStream(rest, CompressionMode.Decompress);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner?.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>Bytes already read from a stream, then the rest of it.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : ReadOnlyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            if (prefix.IsEmpty) return await rest.ReadAsync(buffer, ct);
            var n = Math.Min(prefix.Length, buffer.Length);
            prefix[..n].CopyTo(buffer);
            prefix = prefix[n..];
            return n;
        }
    }

    /// <summary>The decompressed body, refused with a 413 once it passes the server's body limit; corrupt data is a 400.</summary>
    private sealed class BoundedStream(Stream inner, long? limit, string encoding) : ReadOnlyStream
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            int n;
            try
            {
                n = await inner.ReadAsync(buffer, ct);
            }
            catch (InvalidDataException e)
            {
                throw new CairnException(ErrorCodes.BadRequest, $"The request body is not valid {encoding} data ({e.Message}).");
            }
            _read += n;
            if (_read > limit)
                throw new BadHttpRequestException($"The request body decompresses to more than the server's limit of {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
            return n;
        }
    }

    /// <summary>A forward-only readable stream: subclasses implement <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>.</summary>
    private abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
