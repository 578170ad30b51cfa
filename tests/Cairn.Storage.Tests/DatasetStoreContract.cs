using Cairn.Data;
using Cairn.Rest;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>What every dataset-version store must do; run on SQLite, PostgreSQL and through the REST client.</summary>
public abstract class DatasetStoreContract : IAsyncLifetime
{
    protected IDatasetStore Store { get; private set; } = null!;

    protected abstract Task<IDatasetStore> OpenStoreAsync();
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync();
    public Task DisposeAsync() => CloseStoreAsync();

    private static string Unique() => $"flights-{Guid.NewGuid():N}"[..20];

    private static string Digest(char fill, int suffix = 0) => "blake3:" + new string(fill, 56) + suffix.ToString("x8");

    private static NewDatasetVersion Version(string name, string digest, TableSummary? table = null) =>
        new(name, digest, "file", 1234, 1, "data/flights.parquet", "0123456789abcdef0123456789abcdef01234567", table, "first cut", "alice");

    [Fact]
    public async Task CreateVersion_NewDigests_AreNumberedFromOne()
    {
        var name = Unique();
        var first = await Store.CreateVersionAsync(Version(name, Digest('a')));
        var second = await Store.CreateVersionAsync(Version(name, Digest('b')));

        Assert.Equal(1, first.Version);
        Assert.Equal(2, second.Version);
        Assert.Equal($"data:/{name}@2", second.ToUri().ToString());
        Assert.Equal("alice", second.CreatedBy);
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", second.GitCommit);
        Assert.True(second.CreationTime > 0);
    }

    [Fact]
    public async Task CreateVersion_SameDigestAgain_ReturnsTheExistingVersion()
    {
        var name = Unique();
        await Store.CreateVersionAsync(Version(name, Digest('a')));
        await Store.CreateVersionAsync(Version(name, Digest('b')));

        var again = await Store.CreateVersionAsync(Version(name, Digest('a')));

        Assert.Equal(1, again.Version);
        Assert.Equal(2, (await Store.ListVersionsAsync(name)).Count);
    }

    [Fact]
    public async Task CreateVersion_BareUppercaseHex_IsStoredCanonical()
    {
        var name = Unique();
        var created = await Store.CreateVersionAsync(Version(name, new string('C', 64)));
        Assert.Equal("blake3:" + new string('c', 64), created.Digest);
    }

    [Fact]
    public async Task GetVersion_ByNumberDigestOrPrefix_FindsIt()
    {
        var name = Unique();
        var table = new TableSummary("parquet", 3_000_000, [new TableColumn("date", "timestamp"), new TableColumn("delay", "int64")]);
        await Store.CreateVersionAsync(Version(name, Digest('a')));
        var created = await Store.CreateVersionAsync(Version(name, Digest('d'), table));

        var byNumber = await Store.GetVersionAsync(name, "2");
        var byDigest = await Store.GetVersionAsync(name, created.Digest);
        var byHex = await Store.GetVersionAsync(name, created.Digest["blake3:".Length..]);
        var byPrefix = await Store.GetVersionAsync(name, "dddddddd");

        Assert.All(new[] { byNumber, byDigest, byHex, byPrefix }, v => Assert.Equal(2, v.Version));
        Assert.Equal(3_000_000, byNumber.Table!.Rows);
        Assert.Equal(["date", "delay"], byNumber.Table.Columns.Select(c => c.Name));
        Assert.Equal("int64", byNumber.Table.Columns[1].Type);
    }

    [Fact]
    public async Task GetVersion_AmbiguousPrefix_IsInvalidAndListsTheCandidates()
    {
        var name = Unique();
        await Store.CreateVersionAsync(Version(name, Digest('e', 1)));
        await Store.CreateVersionAsync(Version(name, Digest('e', 2)));

        var error = await Assert.ThrowsAsync<CairnException>(() => Store.GetVersionAsync(name, "eeeeeeee"));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("1, 2", error.Message);
    }

    [Fact]
    public async Task GetVersion_UnknownDatasetOrVersion_IsNotFound()
    {
        var name = Unique();
        var noDataset = await Assert.ThrowsAsync<CairnException>(() => Store.GetVersionAsync(name, "1"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, noDataset.ErrorCode);
        Assert.Contains("cairn data tag", noDataset.Message);

        await Store.CreateVersionAsync(Version(name, Digest('a')));
        var noVersion = await Assert.ThrowsAsync<CairnException>(() => Store.GetVersionAsync(name, "7"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, noVersion.ErrorCode);
        Assert.Contains($"data:/{name}@7", noVersion.Message);
    }

    [Theory]
    [InlineData("has space", "blake3:" + "ab")]
    [InlineData("ok-name", "not-a-digest")]
    [InlineData("", "x")]
    public async Task CreateVersion_BadNameOrDigest_IsInvalidParameter(string name, string digest)
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.CreateVersionAsync(Version(name, digest)));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
    }

    [Fact]
    public async Task ListVersions_NewestFirst_AndListDatasets_GivesTheLatestOfEach()
    {
        var a = Unique();
        var b = Unique();
        await Store.CreateVersionAsync(Version(a, Digest('a')));
        await Store.CreateVersionAsync(Version(a, Digest('b')));
        await Store.CreateVersionAsync(Version(b, Digest('c')));

        Assert.Equal([2L, 1L], (await Store.ListVersionsAsync(a)).Select(v => v.Version));
        Assert.Empty(await Store.ListVersionsAsync(Unique()));
        var latest = (await Store.ListDatasetsAsync()).Where(v => v.Name == a || v.Name == b).ToList();
        Assert.Equal(2, latest.Count);
        Assert.Equal(2, latest.Single(v => v.Name == a).Version);
        Assert.Equal(1, latest.Single(v => v.Name == b).Version);
    }

    [Fact]
    public async Task CreateVersion_DerivedFrom_RoundTripsInOrderWithoutDuplicates()
    {
        var name = Unique();
        await Store.CreateVersionAsync(Version(name, Digest('a')) with { DerivedFrom = ["data:/raw@1"] });
        var created = await Store.CreateVersionAsync(Version(name, Digest('b')) with
        {
            DerivedFrom = ["features:/airport_delays@3", "data://raw@02", "features:/weather@1", "features:/airport_delays@3"],
        });

        string[] expected = ["features:/airport_delays@3", "data:/raw@2", "features:/weather@1"];
        Assert.Equal(expected, created.DerivedFrom);
        Assert.Equal(expected, (await Store.GetVersionAsync(name, "2")).DerivedFrom);
        Assert.Equal(expected, (await Store.GetVersionAsync(name, created.Digest)).DerivedFrom);
        var listed = await Store.ListVersionsAsync(name);
        Assert.Equal(expected, listed[0].DerivedFrom);
        Assert.Equal(["data:/raw@1"], listed[1].DerivedFrom);
        Assert.Equal(expected, (await Store.ListDatasetsAsync()).Single(v => v.Name == name).DerivedFrom);
    }

    [Fact]
    public async Task CreateVersion_WithoutDerivedFrom_HasNone()
    {
        var created = await Store.CreateVersionAsync(Version(Unique(), Digest('a')));
        Assert.Empty(created.DerivedFrom);
        Assert.Empty((await Store.GetVersionAsync(created.Name, "1")).DerivedFrom);
    }

    [Fact]
    public async Task CreateVersion_SameDigestWithOtherDerivedFrom_ReturnsTheExistingVersionWithItsOwnEdges()
    {
        var name = Unique();
        await Store.CreateVersionAsync(Version(name, Digest('a')) with { DerivedFrom = ["features:/airport_delays@3"] });

        var again = await Store.CreateVersionAsync(Version(name, Digest('a')) with { DerivedFrom = ["features:/airport_delays@4"] });

        Assert.Equal(1, again.Version);
        Assert.Equal(["features:/airport_delays@3"], again.DerivedFrom);
        Assert.Equal(["features:/airport_delays@3"], (await Store.GetVersionAsync(name, "1")).DerivedFrom);
    }

    [Theory]
    [InlineData("features:/airport_delays")]
    [InlineData("features:/airport_delays@0")]
    [InlineData("features:/bad name@1")]
    [InlineData("data:/raw")]
    [InlineData("data:/raw@blake3:aaaaaaaa")]
    [InlineData("runs:/0123/model")]
    [InlineData("")]
    public async Task CreateVersion_DerivedFromNotAVersionUri_IsInvalidParameterAndCreatesNothing(string uri)
    {
        var name = Unique();
        var error = await Assert.ThrowsAsync<CairnException>(() =>
            Store.CreateVersionAsync(Version(name, Digest('a')) with { DerivedFrom = ["features:/airport_delays@1", uri] }));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Empty(await Store.ListVersionsAsync(name));
    }

    [Fact]
    public async Task CreateVersion_TwentyConcurrentDigests_GetOneToTwentyWithoutGaps()
    {
        var name = Unique();
        var created = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Store.CreateVersionAsync(Version(name, Digest('f', i)))));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), created.Select(v => v.Version).Order());
    }
}

public sealed class SqliteDatasetStoreContract : DatasetStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteStores? _stores;

    protected override Task<IDatasetStore> OpenStoreAsync()
    {
        _stores = new SqliteStores(_folder.File("cairn.db"));
        return Task.FromResult<IDatasetStore>(_stores.Datasets);
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RestDatasetStoreContract : DatasetStoreContract
{
    private RunningServer? _server;
    private RestTransport? _transport;

    protected override async Task<IDatasetStore> OpenStoreAsync()
    {
        _server = await RunningServer.StartAsync();
        _transport = new RestTransport(_server.BaseUri);
        return new RestDatasetStore(_transport);
    }

    protected override async Task CloseStoreAsync()
    {
        _transport?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

public sealed class PostgresDatasetStoreContract : DatasetStoreContract
{
    private Cairn.Storage.Postgres.PostgresStores? _stores;

    protected override async Task<IDatasetStore> OpenStoreAsync()
    {
        _stores = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());
        return _stores.Datasets;
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        return Task.CompletedTask;
    }
}
