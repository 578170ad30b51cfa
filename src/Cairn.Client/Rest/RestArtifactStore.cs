using System.Net.Http.Headers;
using Cairn.Artifacts;
using Cairn.Protocol;

namespace Cairn.Rest;

/// <summary>Artifacts through a server's MLflow artifact proxy (/api/2.0/mlflow-artifacts/artifacts).</summary>
public sealed class RestArtifactStore(RestTransport transport) : IArtifactStore
{
    private const string Proxy = "api/2.0/mlflow-artifacts/artifacts";

    /// <inheritdoc />
    public async Task PutAsync(string path, Stream content, CancellationToken ct = default)
    {
        var relative = ArtifactPath.Normalize(path, allowRoot: false);
        // A retry must resend the whole file: a stream that cannot seek back is spooled to a temp file first.
        await using var spool = content.CanSeek ? null : await SpoolAsync(content, ct).ConfigureAwait(false);
        var body = spool ?? content;
        var start = body.Position;
        using var response = await transport.SendRawAsync(() =>
        {
            body.Position = start;
            var message = new StreamContent(new NonDisposingStream(body));
            message.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            return new HttpRequestMessage(HttpMethod.Put, new Uri(Proxy + "/" + Escape(relative), UriKind.Relative)) { Content = message };
        }, ct).ConfigureAwait(false);
    }

    private static async Task<FileStream> SpoolAsync(Stream content, CancellationToken ct)
    {
        var spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await content.CopyToAsync(spool, ct).ConfigureAwait(false);
        spool.Position = 0;
        return spool;
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string path, CancellationToken ct = default)
    {
        var relative = ArtifactPath.Normalize(path, allowRoot: false);
        var response = await transport.SendRawAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(Proxy + "/" + Escape(relative), UriKind.Relative)),
            ct, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        return await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ArtifactFile>> ListAsync(string? path, CancellationToken ct = default)
    {
        var relative = ArtifactPath.Normalize(path);
        var response = await transport.GetAsync<ListArtifactsResponse>(Proxy, [("path", relative)], ct).ConfigureAwait(false);
        return (response.Files ?? []).Select(f => f with { Path = ArtifactPath.Combine(relative, f.Path) }).ToList();
    }

    private static string Escape(string relative) => string.Join('/', relative.Split('/').Select(Uri.EscapeDataString));

    /// <summary>Lets HttpClient dispose the request content without closing the caller's stream.</summary>
    private sealed class NonDisposingStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => inner.ReadAsync(buffer, ct);
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
