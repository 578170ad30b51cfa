using System.Text;
using Cairn.Artifacts;
using Cairn.Rest;
using Cairn.Storage.Local;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>What every artifact store must do; run against the local store and the REST proxy client.</summary>
public abstract class ArtifactStoreContract : IAsyncLifetime
{
    protected IArtifactStore Store { get; private set; } = null!;

    protected abstract Task<IArtifactStore> OpenStoreAsync();
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync();
    public Task DisposeAsync() => CloseStoreAsync();

    protected Task PutText(string path, string text) => Store.PutAsync(path, new MemoryStream(Encoding.UTF8.GetBytes(text)));

    private async Task<string> ReadText(string path)
    {
        await using var stream = await Store.OpenReadAsync(path);
        return await new StreamReader(stream).ReadToEndAsync();
    }

    [Fact]
    public async Task Put_ThenOpenRead_ReturnsTheBytes()
    {
        await PutText("1/run/artifacts/notes.txt", "hello");
        Assert.Equal("hello", await ReadText("1/run/artifacts/notes.txt"));
    }

    [Fact]
    public async Task Put_SamePathTwice_KeepsTheNewContent()
    {
        await PutText("1/run/artifacts/a.txt", "old");
        await PutText("1/run/artifacts/a.txt", "new");
        Assert.Equal("new", await ReadText("1/run/artifacts/a.txt"));
    }

    [Fact]
    public async Task Put_LargeFile_RoundTripsByteForByte()
    {
        var bytes = new byte[12 * 1024 * 1024 + 17];
        new Random(42).NextBytes(bytes);
        await Store.PutAsync("1/run/artifacts/model/model.zip", new MemoryStream(bytes));

        await using var stream = await Store.OpenReadAsync("1/run/artifacts/model/model.zip");
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()));
    }

    [Fact]
    public async Task List_ShowsFoldersAndFilesWithSizes()
    {
        await PutText("2/r/artifacts/model/MLmodel", "flavors: {}");
        await PutText("2/r/artifacts/metrics.csv", "a,b\n1,2\n");

        var root = await Store.ListAsync("2/r/artifacts");
        var model = await Store.ListAsync("2/r/artifacts/model");

        Assert.Equal([new ArtifactFile("2/r/artifacts/metrics.csv", false, 8), new ArtifactFile("2/r/artifacts/model", true, null)], root);
        Assert.Equal(new ArtifactFile("2/r/artifacts/model/MLmodel", false, 11), Assert.Single(model));
    }

    [Fact]
    public async Task List_MissingFolder_IsEmpty()
    {
        Assert.Empty(await Store.ListAsync("9/none/artifacts"));
    }

    [Fact]
    public async Task OpenRead_Missing_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.OpenReadAsync("1/run/artifacts/missing.bin"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("1/run/../../outside.txt")]
    [InlineData("/etc/passwd")]
    public async Task Put_EscapingPath_IsRefusedAndWritesNothing(string path)
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => PutText(path, "x"));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
    }
}

public sealed class LocalArtifactStoreContract : ArtifactStoreContract
{
    private readonly TempFolder _folder = new();

    protected override Task<IArtifactStore> OpenStoreAsync() => Task.FromResult<IArtifactStore>(new LocalArtifactStore(_folder.File("artifacts")));

    protected override Task CloseStoreAsync()
    {
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Put_IdenticalContent_IsStoredOnce()
    {
        var store = (LocalArtifactStore)Store;
        await store.PutAsync("1/a/artifacts/model.zip", new MemoryStream(new byte[1000]));
        await store.PutAsync("1/b/artifacts/model.zip", new MemoryStream(new byte[1000]));

        Assert.Equal(store.DigestOf("1/a/artifacts/model.zip"), store.DigestOf("1/b/artifacts/model.zip"));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(store.Root, "objects"), "*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(store.Root, "tmp")));
    }

    [Fact]
    public async Task Put_DigestIsBlake3OfTheContent()
    {
        var store = (LocalArtifactStore)Store;
        await store.PutAsync("1/a/artifacts/abc.txt", new MemoryStream("abc"u8.ToArray()));
        // BLAKE3("abc") from the reference test vectors.
        Assert.Equal("6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85", store.DigestOf("1/a/artifacts/abc.txt"));
    }

    [Fact]
    public async Task OpenRead_ObjectLinkedToAFileOutsideTheRoot_IsNotFound()
    {
        var store = (LocalArtifactStore)Store;
        await PutText("1/a/artifacts/notes.txt", "notes");
        var secret = _folder.File("secret.txt");
        File.WriteAllText(secret, "outside the root");
        var digest = store.DigestOf("1/a/artifacts/notes.txt")!;
        var objectPath = Path.Combine(store.Root, "objects", digest[..2], digest);
        File.Delete(objectPath);
        File.CreateSymbolicLink(objectPath, secret);

        var error = await Assert.ThrowsAsync<CairnException>(() => Store.OpenReadAsync("1/a/artifacts/notes.txt"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task LinkedFolderLeavingTheRoot_IsNeitherReadNorListedNorWritten()
    {
        var store = (LocalArtifactStore)Store;
        await PutText("1/a/artifacts/notes.txt", "notes");
        var outside = Directory.CreateDirectory(_folder.File("outside")).FullName;
        // A valid pointer outside the root: following the link would serve it.
        File.Copy(Path.Combine(store.Root, "tree", "1", "a", "artifacts", "notes.txt"), Path.Combine(outside, "pointer.txt"));
        Directory.CreateSymbolicLink(Path.Combine(store.Root, "tree", "1", "a", "artifacts", "linked"), outside);

        var read = await Assert.ThrowsAsync<CairnException>(() => Store.OpenReadAsync("1/a/artifacts/linked/pointer.txt"));
        var write = await Assert.ThrowsAsync<CairnException>(() => PutText("1/a/artifacts/linked/new.txt", "x"));

        Assert.Equal(ErrorCodes.ResourceDoesNotExist, read.ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameterValue, write.ErrorCode);
        Assert.Equal(["pointer.txt"], Directory.EnumerateFiles(outside).Select(Path.GetFileName));
        Assert.Empty(await Store.ListAsync("1/a/artifacts/linked"));
        Assert.Equal([new ArtifactFile("1/a/artifacts/notes.txt", false, 5)], await Store.ListAsync("1/a/artifacts"));
    }

    [Fact]
    public async Task Put_ObjectShardLinkedOutside_IsRefusedAndWritesNothingThere()
    {
        var store = (LocalArtifactStore)Store;
        var outside = Directory.CreateDirectory(_folder.File("elsewhere")).FullName;
        await PutText("1/a/artifacts/first.txt", "x");
        var shard = Path.Combine(store.Root, "objects", store.DigestOf("1/a/artifacts/first.txt")![..2]);
        Directory.Delete(shard, recursive: true);
        Directory.CreateSymbolicLink(shard, outside);

        // The same content again: its object would land in the linked shard.
        var error = await Assert.ThrowsAsync<CairnException>(() => PutText("1/a/artifacts/second.txt", "x"));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }
}

public sealed class RestArtifactStoreContract : ArtifactStoreContract
{
    private RunningServer? _server;
    private RestTransport? _transport;

    protected override async Task<IArtifactStore> OpenStoreAsync()
    {
        _server = await RunningServer.StartAsync();
        _transport = new RestTransport(_server.BaseUri);
        return new RestArtifactStore(_transport);
    }

    protected override async Task CloseStoreAsync()
    {
        _transport?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

/// <summary>The contract on a real S3-compatible server (s3rver), including a multipart upload.</summary>
public sealed class S3ArtifactStoreContract : ArtifactStoreContract
{
    private Cairn.Storage.S3.S3ArtifactStore? _store;

    protected override Task<IArtifactStore> OpenStoreAsync()
    {
        _store = S3Server.Instance.NewStore();
        return Task.FromResult<IArtifactStore>(_store);
    }

    protected override Task CloseStoreAsync()
    {
        _store?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Put_LargerThanAPart_IsAMultipartUploadThatRoundTrips()
    {
        var bytes = new byte[Cairn.Storage.S3.S3ArtifactStore.PartSize * 2 + 12345];
        new Random(7).NextBytes(bytes);
        // A non-seekable stream, as a server's request body is.
        await Store.PutAsync("1/run/artifacts/big.bin", new ForwardOnlyStream(bytes));

        await using var stream = await Store.OpenReadAsync("1/run/artifacts/big.bin");
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.True(bytes.AsSpan().SequenceEqual(copy.ToArray()));
        Assert.Equal(bytes.Length, (await Store.ListAsync("1/run/artifacts")).Single().FileSize);
    }

    [Fact]
    public async Task WrongCredentials_SayWhatToFix()
    {
        using var store = Cairn.Storage.S3.S3ArtifactStore.Open($"s3://{S3Server.Bucket}/x", S3Server.Instance.Endpoint, new Amazon.Runtime.BasicAWSCredentials("nobody", "wrong"));
        var error = await Assert.ThrowsAsync<CairnException>(() => store.PutAsync("a.txt", new MemoryStream([1])));
        Assert.Contains("credentials", error.Message);
    }
}
