namespace Cairn.Features.Tests;

/// <summary>Every bad input is refused with a message that names it, before any output is written.</summary>
public sealed class PointInTimeValidationTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RandomScenario _scenario;

    public PointInTimeValidationTests() => _scenario = RandomScenario.Create(1, _folder.Path);

    public void Dispose() => _folder.Dispose();

    private async Task<string> RefusedAsync(FeatureRepository repository, IReadOnlyList<FeatureReference> features, string entities = "entities.parquet", PointInTimeOptions? options = null)
    {
        var error = await Assert.ThrowsAsync<CairnException>(() =>
            PointInTimeJoiner.JoinAsync(repository, features, _folder.File(entities), _folder.File("train.parquet"), options));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.False(File.Exists(_folder.File("train.parquet")));
        Assert.Empty(Directory.EnumerateFiles(_folder.Path, "*.partial"));
        return error.Message;
    }

    private FeatureRepository WithRouteSource(string path) => _scenario.Repository with
    {
        Sources = [_scenario.Repository.Sources[0] with { Path = _folder.File(path) }, _scenario.Repository.Sources[1]],
    };

    private void WriteRoutes(string path, params (string Name, string Type)[] columns) =>
        Tables.Write(_folder.File(path), columns, [columns.Select(c => (object?)(c.Type switch { "VARCHAR" => "SEA", "BIGINT" => 1L, "DOUBLE" => 1.0, _ => RandomScenario.Start })).ToArray()]);

    [Fact]
    public async Task JoinAsync_EntityTableWithoutAJoinKey_NamesTheKey()
    {
        Tables.Write(_folder.File("no-carrier.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP")], [["SEA", RandomScenario.Start]]);
        var message = await RefusedAsync(_scenario.Repository, RandomScenario.Features, "no-carrier.parquet");
        Assert.Contains("no join key column 'carrier'", message);
    }

    [Fact]
    public async Task JoinAsync_EntityTableWithoutTheTimestamp_NamesTheColumn()
    {
        var message = await RefusedAsync(_scenario.Repository, RandomScenario.Features, options: new PointInTimeOptions { EntityTimestampColumn = "ts" });
        Assert.Contains("no timestamp column 'ts'", message);
    }

    [Fact]
    public async Task JoinAsync_EntityTimestampOfTheWrongType_SaysItIsNotATimestamp()
    {
        var message = await RefusedAsync(_scenario.Repository, RandomScenario.Features, options: new PointInTimeOptions { EntityTimestampColumn = "label" });
        Assert.Contains("'label' is BIGINT, not a timestamp", message);
    }

    [Fact]
    public async Task JoinAsync_EntityJoinKeyOfTheWrongType_NamesBothTypes()
    {
        Tables.Write(_folder.File("text-carrier.parquet"), [("origin", "VARCHAR"), ("carrier", "VARCHAR"), ("event_timestamp", "TIMESTAMP")], [["SEA", "1", RandomScenario.Start]]);
        var message = await RefusedAsync(_scenario.Repository, RandomScenario.Features, "text-carrier.parquet");
        Assert.Contains("join key 'carrier' is VARCHAR, but its entity declares int64", message);
    }

    [Fact]
    public async Task JoinAsync_UnknownView_ListsTheDeclaredViews()
    {
        var message = await RefusedAsync(_scenario.Repository, [new("routes", "avg_delay")]);
        Assert.Contains("Unknown feature view 'routes'", message);
        Assert.Contains("route_stats, airport_info", message);
    }

    [Fact]
    public async Task JoinAsync_UnknownFeature_ListsTheViewsFeatures()
    {
        var message = await RefusedAsync(_scenario.Repository, [new("route_stats", "delay")]);
        Assert.Contains("has no feature 'delay'", message);
        Assert.Contains("avg_delay, flights, observed_at", message);
    }

    [Fact]
    public async Task JoinAsync_UnknownService_IsRefused()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() =>
            PointInTimeJoiner.JoinAsync(_scenario.Repository, "delay_v9", _folder.File("entities.parquet"), _folder.File("train.parquet")));
        Assert.Contains("Unknown feature service 'delay_v9'; declared services: delay_v1", error.Message);
    }

    [Fact]
    public async Task JoinAsync_NoFeatures_IsRefused() =>
        Assert.Contains("No features requested", await RefusedAsync(_scenario.Repository, []));

    [Fact]
    public async Task JoinAsync_TwoFeaturesOfOneName_SuggestsFullFeatureNames()
    {
        var repository = _scenario.Repository with
        {
            Views = [.. _scenario.Repository.Views, _scenario.Repository.Views[0] with { Name = "route_stats_copy" }],
        };
        var message = await RefusedAsync(repository, [new("route_stats", "flights"), new("route_stats_copy", "flights")]);
        Assert.Contains("would share the column 'flights'", message);
        Assert.Contains("full feature names", message);
    }

    [Fact]
    public async Task JoinAsync_FeatureColumnAlreadyInTheEntityTable_IsRefused()
    {
        Tables.Write(_folder.File("has-status.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP"), ("status", "VARCHAR")], [["SEA", RandomScenario.Start, "x"]]);
        var message = await RefusedAsync(_scenario.Repository, [new("airport_info", "status")], "has-status.parquet");
        Assert.Contains("column 'status', which the entity table already has", message);
    }

    [Fact]
    public async Task JoinAsync_SourceWithoutADeclaredFeature_SaysTheSchemaChanged()
    {
        WriteRoutes("old-routes.parquet", ("origin", "VARCHAR"), ("carrier", "BIGINT"), ("ts", "TIMESTAMP"), ("avg_delay", "DOUBLE"));
        var message = await RefusedAsync(WithRouteSource("old-routes.parquet"), [new("route_stats", "flights")]);
        Assert.Contains("Source 'routes' of feature view 'route_stats' has no feature column 'flights' (has the source's schema changed?)", message);
    }

    [Fact]
    public async Task JoinAsync_SourceFeatureOfAnotherType_SaysTheSchemaChanged()
    {
        WriteRoutes("typed-routes.parquet", ("origin", "VARCHAR"), ("carrier", "BIGINT"), ("ts", "TIMESTAMP"), ("flights", "VARCHAR"));
        var message = await RefusedAsync(WithRouteSource("typed-routes.parquet"), [new("route_stats", "flights")]);
        Assert.Contains("feature column 'flights' is VARCHAR, but the definition declares int64", message);
    }

    [Fact]
    public async Task JoinAsync_SourceWithoutItsTimestampOrJoinKey_NamesTheColumn()
    {
        WriteRoutes("no-ts.parquet", ("origin", "VARCHAR"), ("carrier", "BIGINT"), ("flights", "BIGINT"));
        Assert.Contains("no event timestamp column 'ts'", await RefusedAsync(WithRouteSource("no-ts.parquet"), [new("route_stats", "flights")]));
        WriteRoutes("no-key.parquet", ("origin", "VARCHAR"), ("ts", "TIMESTAMP"), ("flights", "BIGINT"));
        Assert.Contains("no join key column 'carrier'", await RefusedAsync(WithRouteSource("no-key.parquet"), [new("route_stats", "flights")]));
    }

    [Fact]
    public async Task JoinAsync_MissingOrUnreadablePaths_AreRefused()
    {
        Assert.Contains("does not exist", await RefusedAsync(_scenario.Repository, RandomScenario.Features, "absent.parquet"));
        Assert.Contains("neither a file, a folder nor a glob", await RefusedAsync(WithRouteSource("absent.parquet"), RandomScenario.Features));
        File.WriteAllText(_folder.File("broken.parquet"), "not parquet");
        Assert.Contains("Source 'routes' of feature view 'route_stats'", await RefusedAsync(WithRouteSource("broken.parquet"), RandomScenario.Features));
        File.WriteAllText(_folder.File("entities.json"), "{}");
        Assert.Contains("neither .parquet nor .csv", await RefusedAsync(_scenario.Repository, RandomScenario.Features, "entities.json"));
        var url = _scenario.Repository with { Sources = [_scenario.Repository.Sources[0] with { Path = "https://example.com/x.parquet" }, _scenario.Repository.Sources[1]] };
        Assert.Contains("is a URL", await RefusedAsync(url, RandomScenario.Features));
    }

    [Theory]
    [InlineData(FeatureSourceKinds.Postgres, "is a postgres source without a table")]
    [InlineData(FeatureSourceKinds.Dataset, "is a dataset source without a dataset")]
    [InlineData("kafka", "unknown kind 'kafka'")]
    public async Task JoinAsync_SourceKindsNotReadOffline_AreRefused(string kind, string expected)
    {
        var repository = _scenario.Repository with { Sources = [_scenario.Repository.Sources[0] with { Kind = kind }, _scenario.Repository.Sources[1]] };
        Assert.Contains(expected, await RefusedAsync(repository, RandomScenario.Features));
    }

    [Fact]
    public async Task JoinAsync_TransformationThatFails_NamesTheView()
    {
        var repository = _scenario.Repository with { Views = [_scenario.Repository.Views[0] with { Transformation = "SELECT nope FROM source" }, _scenario.Repository.Views[1]] };
        var message = await RefusedAsync(repository, RandomScenario.Features);
        Assert.Contains("feature view 'route_stats' through its transformation", message);
    }

    [Fact]
    public async Task JoinAsync_OutputOverTheEntityTable_IsRefused()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() =>
            PointInTimeJoiner.JoinAsync(_scenario.Repository, RandomScenario.Features, _folder.File("entities.parquet"), _folder.File("entities.parquet")));
        Assert.Contains("would overwrite its own entity table", error.Message);
    }

    [Fact]
    public async Task JoinAsync_CancelledToken_StopsWithoutWritingTheOutput()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            PointInTimeJoiner.JoinAsync(_scenario.Repository, RandomScenario.Features, _folder.File("entities.parquet"), _folder.File("train.parquet"), ct: cancelled.Token));
        Assert.False(File.Exists(_folder.File("train.parquet")));
    }
}
