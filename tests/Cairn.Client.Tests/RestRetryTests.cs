using System.Net;
using Cairn.Rest;
using Cairn.Testing;

namespace Cairn.Client.Tests;

/// <summary>The REST client rides over a server that is briefly unavailable.</summary>
public class RestRetryTests
{
    /// <summary>Fault injection on the client's side of a real socket: 503s, then a refused connection, then the real server.</summary>
    private sealed class FlakyHandler(int unavailable, int refused) : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Requests;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var n = Interlocked.Increment(ref Requests);
            if (n <= unavailable) return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
            if (n <= unavailable + refused) throw new HttpRequestException("Connection refused");
            return base.SendAsync(request, ct);
        }
    }

    [Fact]
    public async Task TransientFailures_AreRetried_AndTheWriteHappensOnce()
    {
        await using var server = await RunningServer.StartAsync();
        var handler = new FlakyHandler(unavailable: 2, refused: 1);
        using var transport = new RestTransport(server.BaseUri, new HttpClient(handler));
        var store = new RestTrackingStore(transport);

        var id = await store.CreateExperimentAsync("through-faults");

        Assert.Equal(4, handler.Requests);
        Assert.Equal("through-faults", (await server.Store.GetExperimentAsync(id)).Name);
    }

    [Fact]
    public async Task UserErrors_AreNotRetried()
    {
        await using var server = await RunningServer.StartAsync();
        var handler = new FlakyHandler(0, 0);
        using var transport = new RestTransport(server.BaseUri, new HttpClient(handler));

        var error = await Assert.ThrowsAsync<CairnException>(() => new RestTrackingStore(transport).GetRunAsync(Ids.NewId()));

        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
        Assert.Equal(1, handler.Requests);
    }

    [Fact]
    public async Task ArtifactUpload_FromANonSeekableStream_IsResentWholeAfterAFailure()
    {
        await using var server = await RunningServer.StartAsync();
        var handler = new FlakyHandler(unavailable: 1, refused: 0);
        using var transport = new RestTransport(server.BaseUri, new HttpClient(handler));
        var bytes = new byte[300_000];
        new Random(1).NextBytes(bytes);

        await new RestArtifactStore(transport).PutAsync("0/r/artifacts/data.bin", new ForwardOnlyStream(bytes));

        await using var stored = await server.Artifacts.OpenReadAsync("0/r/artifacts/data.bin");
        var copy = new MemoryStream();
        await stored.CopyToAsync(copy);
        Assert.Equal(2, handler.Requests);
        Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()));
    }
}
