using Cairn.Data;

namespace Cairn.Features.Tests;

/// <summary>Dataset sources: a dataset version's files, found by the host's resolver (as in a data cache, without extensions), read like file sources.</summary>
public sealed class DatasetSourceTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Dictionary<string, IReadOnlyList<FeatureDatasetFile>> _versions = [];
    private readonly List<string> _resolved = [];

    public void Dispose() => _folder.Dispose();

    /// <summary>What a host would supply: the versions this test "cached".</summary>
    private Task<IReadOnlyList<FeatureDatasetFile>> Resolve(DataUri uri, CancellationToken ct)
    {
        _resolved.Add(uri.ToString());
        return Task.FromResult(_versions.TryGetValue(uri.ToString(), out var files) ? files
            : throw CairnException.InvalidParameter($"The data of {uri} is not on this machine: run `cairn data pull`."));
    }

    /// <summary>Copies a file to a name without extension, as the data cache stores content.</summary>
    private FeatureDatasetFile Cached(string file, string name)
    {
        Directory.CreateDirectory(_folder.File("cache"));
        var path = _folder.File(Path.Combine("cache", Guid.NewGuid().ToString("N")));
        File.Copy(file, path);
        return new FeatureDatasetFile(path, name);
    }

    private static FeatureRepository OverDatasets(FeatureRepository repository, string routes, string airports) => repository with
    {
        Sources = [new("routes", FeatureSourceKinds.Dataset, "ts", Dataset: routes), new("airports", FeatureSourceKinds.Dataset, "updated", Dataset: airports)],
    };

    [Fact]
    public async Task JoinAsync_FromDatasetVersions_EqualsTheSameFiles()
    {
        var scenario = RandomScenario.Create(8, _folder.Path);
        _versions["data:/routes@3"] = [Cached(_folder.File("route.parquet"), "data/route.parquet")];
        _versions["data:/airports@1"] = [Cached(_folder.File("airport.parquet"), "data/airport.parquet")];

        await PointInTimeJoiner.JoinAsync(scenario.Repository, RandomScenario.Features, _folder.File("entities.parquet"), _folder.File("from-files.parquet"));
        await PointInTimeJoiner.JoinAsync(OverDatasets(scenario.Repository, "data:/routes@3", "data:/airports@1"), RandomScenario.Features,
            _folder.File("entities.parquet"), _folder.File("from-datasets.parquet"), new PointInTimeOptions { DatasetResolver = Resolve });

        Assert.Equal(Tables.Read(_folder.File("from-files.parquet")).Rows, Tables.Read(_folder.File("from-datasets.parquet")).Rows);
        Assert.Equal(["data:/routes@3", "data:/airports@1"], _resolved);
    }

    [Fact]
    public async Task AFolderVersion_ReadsLikeAFolderSource_ItsFilesInNameOrder()
    {
        var scenario = RandomScenario.Create(9, _folder.Path);
        // The routes split in two parts (ties across them included), in a folder, and as a folder version whose files the resolver lists out of order.
        Directory.CreateDirectory(_folder.File("routes"));
        var columns = new[] { ("origin", "VARCHAR"), ("carrier", "BIGINT"), ("ts", "TIMESTAMP"), ("avg_delay", "DOUBLE"), ("flights", "BIGINT"), ("observed_at", "TIMESTAMP") };
        var rows = scenario.Routes.Select(r => new object?[] { r.Keys[0], r.Keys[1], r.Time, r.Values[0], r.Values[1], r.Values[2] }).ToList();
        Tables.Write(_folder.File("routes/part-0.parquet"), columns, rows.Take(rows.Count / 2));
        Tables.Write(_folder.File("routes/part-1.parquet"), columns, rows.Skip(rows.Count / 2));
        File.WriteAllText(_folder.File("routes/README.md"), "not a table");
        _versions["data:/routes@2"] = [Cached(_folder.File("routes/part-1.parquet"), "part-1.parquet"), Cached(_folder.File("routes/README.md"), "README.md"),
            Cached(_folder.File("routes/part-0.parquet"), "part-0.parquet")];
        _versions["data:/airports@1"] = [Cached(_folder.File("airport.parquet"), "airport.parquet")];
        var folderRepository = scenario.Repository with { Sources = [scenario.Repository.Sources[0] with { Path = _folder.File("routes") }, scenario.Repository.Sources[1]] };
        var (fromFolder, fromDataset) = (new MemoryOnlineStore(), new MemoryOnlineStore());
        var start = new DateTimeOffset(RandomScenario.Start);

        await PointInTimeJoiner.JoinAsync(folderRepository, RandomScenario.Features, _folder.File("entities.parquet"), _folder.File("from-folder.parquet"));
        await PointInTimeJoiner.JoinAsync(OverDatasets(scenario.Repository, "data:/routes@2", "data:/airports@1"), RandomScenario.Features,
            _folder.File("entities.parquet"), _folder.File("from-dataset.parquet"), new PointInTimeOptions { DatasetResolver = Resolve });
        await FeatureMaterializer.MaterializeAsync(folderRepository, fromFolder, null, start, start.AddDays(30));
        await FeatureMaterializer.MaterializeAsync(OverDatasets(scenario.Repository, "data:/routes@2", "data:/airports@1"), fromDataset, null, start, start.AddDays(30),
            new MaterializeOptions { DatasetResolver = Resolve });

        Assert.Equal(Tables.Read(_folder.File("from-folder.parquet")).Rows, Tables.Read(_folder.File("from-dataset.parquet")).Rows);
        Assert.NotEmpty(fromDataset.Dump("route_stats"));
        Assert.Equal(fromFolder.Dump("route_stats"), fromDataset.Dump("route_stats"));
    }

    [Fact]
    public async Task MissingResolverVersionOrColumn_IsRefusedClearly()
    {
        var scenario = RandomScenario.Create(10, _folder.Path);
        Tables.Write(_folder.File("old-routes.csv"), [("origin", "VARCHAR"), ("carrier", "BIGINT"), ("ts", "TIMESTAMP"), ("avg_delay", "DOUBLE")], [["SEA", 1L, RandomScenario.Start, 1.5]]);
        _versions["data:/routes@1"] = [Cached(_folder.File("old-routes.csv"), "routes.csv")];
        _versions["data:/airports@1"] = [Cached(_folder.File("airport.parquet"), "airport.parquet")];
        async Task<string> Refused(string routes, FeatureDatasetResolver? resolver) => (await Assert.ThrowsAsync<CairnException>(() =>
            PointInTimeJoiner.JoinAsync(OverDatasets(scenario.Repository, routes, "data:/airports@1"), RandomScenario.Features, _folder.File("entities.parquet"),
                _folder.File("train.parquet"), new PointInTimeOptions { DatasetResolver = resolver }))).Message;

        var noResolver = await Refused("data:/routes@1", null);
        var notHere = await Refused("data:/routes@7", Resolve);
        var oldSchema = await Refused("data:/routes@1", Resolve);
        var noVersion = await Refused("data:/routes", Resolve);

        Assert.Contains("reads the dataset version data:/routes@1, and this host has no data cache", noResolver);
        Assert.Contains("data:/routes@7 is not on this machine: run `cairn data pull`", notHere);
        Assert.Contains("has no feature column 'flights'", oldSchema);
        Assert.Contains("its columns: origin, carrier, ts, avg_delay", oldSchema);
        Assert.Contains("without a version", noVersion);
        Assert.False(File.Exists(_folder.File("train.parquet")));
    }
}
