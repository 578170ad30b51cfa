using System.Text.Json;
using Cairn.Features;
using Cairn.Rest;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>What every feature definition store must do; run on SQLite, PostgreSQL and through the REST client.</summary>
public abstract class FeatureDefinitionStoreContract : IAsyncLifetime
{
    protected IFeatureDefinitionStore Store { get; private set; } = null!;

    protected abstract Task<IFeatureDefinitionStore> OpenStoreAsync();
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync();

    public Task DisposeAsync() => CloseStoreAsync();

    private static readonly FeatureRepository Delays = new(
        [new EntityDefinition("origin_airport", [new FeatureField("Origin", FeatureType.String)], "where a flight leaves")],
        [
            new FeatureSourceDefinition("flights", FeatureSourceKinds.File, "event_time", Path: "data/flights.parquet", Description: "raw flights"),
            new FeatureSourceDefinition("archive", FeatureSourceKinds.Dataset, "event_time", Dataset: "data:/flights@3"),
        ],
        [new FeatureViewDefinition("airport_delays", ["origin_airport"], "flights",
            [new FeatureField("avg_delay_7d", FeatureType.Double, "mean delay"), new FeatureField("flights_7d", FeatureType.Int64), new FeatureField("last_seen", FeatureType.Timestamp)],
            TimeSpan.FromDays(7), "SELECT * FROM source", Online: false, Description: "per airport")],
        [new FeatureServiceDefinition("delay_v1", [new FeatureReference("airport_delays", "avg_delay_7d")], "the delay model")]);

    private static FeatureRepository WithView(FeatureRepository repository, Func<FeatureViewDefinition, FeatureViewDefinition> change) =>
        repository with { Views = [change(repository.Views[0])] };

    /// <summary>Records holding lists compare by reference: compare their canonical JSON.</summary>
    private static void Same<T>(T expected, T actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected, CairnJson.Options), JsonSerializer.Serialize(actual, CairnJson.Options));

    private static async Task<CairnException> Fails(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<CairnException>(action);
        Assert.Equal(code, e.ErrorCode);
        return e;
    }

    [Fact]
    public async Task Apply_First_RegistersVersionOneOfEveryDefinitionWithEveryField()
    {
        Same(FeatureRepository.Empty, await Store.GetRepositoryAsync());

        var result = await Store.ApplyAsync(Delays);

        Assert.Equal(1, result.Apply);
        Assert.Equal(5, result.Versions.Count);
        Assert.All(result.Versions, v => Assert.Equal((1, 1L, false), (v.Version, v.Apply, v.Removed)));
        Assert.All(result.Plan.Changes, c => Assert.Equal(FeatureChangeKind.Add, c.Change));
        var registered = await Store.GetRepositoryAsync();
        Same(Delays with { Sources = [Delays.Sources[1], Delays.Sources[0]] }, registered); // each kind in name order
        var view = await Store.GetViewAsync(FeatureUri.Parse("features:/airport_delays@1"));
        Same(Delays.Views[0], view.View);
        Assert.Equal(("features:/airport_delays@1", FeatureDefinitionKinds.View), (view.Address, view.Kind));
        Assert.True(view.CreationTime > 0);
        Same(Delays.Services[0], (await Store.GetDefinitionAsync(FeatureDefinitionKinds.Service, "delay_v1")).Service);
        Same(Delays.Entities[0], (await Store.GetDefinitionAsync(FeatureDefinitionKinds.Entity, "origin_airport", 1)).Entity);
        Same(Delays.Sources[1], (await Store.GetDefinitionAsync(FeatureDefinitionKinds.Source, "archive")).Source);
    }

    private static readonly FeatureRepository WithOnDemand = Delays with
    {
        OnDemandViews = [new OnDemandFeatureViewDefinition("delay_ratios", [new FeatureField("scheduled_minutes", FeatureType.Int64, "from the request")],
            [new FeatureReference("airport_delays", "avg_delay_7d")], [new FeatureField("delay_ratio", FeatureType.Double)], "delay_ratio", "delay per minute")],
        Services = [new FeatureServiceDefinition("delay_v1", [new FeatureReference("airport_delays", "avg_delay_7d"), new FeatureReference("delay_ratios", "delay_ratio")])],
    };

    [Fact]
    public async Task Apply_OnDemandView_IsVersionedLikeAView_AndServicesMayUseIt()
    {
        await Store.ApplyAsync(Delays);
        var added = await Store.ApplyAsync(WithOnDemand);
        var changed = await Store.ApplyAsync(WithOnDemand with { OnDemandViews = [WithOnDemand.OnDemandViews[0] with { Function = "delay_ratio_v2" }] });

        Assert.Equal([(FeatureDefinitionKinds.Service, 2), (FeatureDefinitionKinds.OnDemandView, 1)], added.Versions.Select(v => (v.Kind, v.Version)).Order());
        Assert.Equal((FeatureDefinitionKinds.OnDemandView, 2), (Assert.Single(changed.Versions).Kind, changed.Versions[0].Version));
        Same(WithOnDemand.OnDemandViews[0], (await Store.GetDefinitionAsync(FeatureDefinitionKinds.OnDemandView, "delay_ratios", 1)).OnDemandView);
        Assert.Equal("delay_ratio_v2", Assert.Single((await Store.GetRepositoryAsync()).OnDemandViews).Function);
        Assert.Equal("on_demand_feature_view delay_ratios@2", (await Store.GetDefinitionAsync(FeatureDefinitionKinds.OnDemandView, "delay_ratios")).Address);
        var refused = await Fails(ErrorCodes.InvalidParameterValue, () => Store.ApplyAsync(Delays with { Services = WithOnDemand.Services }));
        Assert.Contains("there is no feature view 'delay_ratios'", refused.Message);
    }

    [Fact]
    public async Task Apply_Unchanged_WritesNothing()
    {
        await Store.ApplyAsync(Delays);
        var again = await Store.ApplyAsync(Delays);
        Assert.Equal((0L, true), (again.Apply, again.Plan.IsEmpty));
        Assert.Empty(again.Versions);
        Assert.Equal(5, (await Store.ListHistoryAsync()).Count);
    }

    [Fact]
    public async Task Apply_ChangedView_AddsAVersionToItAloneAndKeepsTheOldOne()
    {
        await Store.ApplyAsync(Delays);
        var result = await Store.ApplyAsync(WithView(Delays, v => v with { Ttl = TimeSpan.FromHours(12) }));

        var written = Assert.Single(result.Versions);
        Assert.Equal((FeatureDefinitionKinds.View, "airport_delays", 2, 2L), (written.Kind, written.Name, written.Version, written.Apply));
        Assert.Contains("ttl", Assert.Single(Assert.Single(result.Plan.Changes).Details));
        Assert.Equal(TimeSpan.FromHours(12), (await Store.GetViewAsync(FeatureUri.Parse("features:/airport_delays"))).View!.Ttl);
        Assert.Equal(TimeSpan.FromDays(7), (await Store.GetViewAsync(FeatureUri.Parse("features:/airport_delays@1"))).View!.Ttl);
        Assert.Equal([2, 1], (await Store.ListVersionsAsync(FeatureDefinitionKinds.View, "airport_delays")).Select(v => v.Version));
        Assert.Equal(1, (await Store.GetDefinitionAsync(FeatureDefinitionKinds.Service, "delay_v1")).Version);
        var history = await Store.ListHistoryAsync();
        Assert.Equal(("airport_delays", 2L), (history[0].Name, history[0].Apply));
        Assert.Equal(6, history.Count);
        Assert.Equal(2, (await Store.ListHistoryAsync(maxResults: 2)).Count);
    }

    [Fact]
    public async Task Apply_RetypingAServedFeature_IsRefusedNamingTheServiceUnlessForced()
    {
        await Store.ApplyAsync(Delays);
        var retyped = WithView(Delays, v => v with { Features = [new FeatureField("avg_delay_7d", FeatureType.Int64), .. v.Features.Skip(1)] });

        var refused = await Fails(ErrorCodes.InvalidParameterValue, () => Store.ApplyAsync(retyped));
        Assert.Contains("delay_v1", refused.Message);
        Assert.Contains("airport_delays:avg_delay_7d changes type double -> int64", refused.Message);
        Assert.Equal(1, (await Store.GetViewAsync(FeatureUri.Parse("features:/airport_delays"))).Version);

        var forced = await Store.ApplyAsync(retyped, force: true);
        Assert.Single(forced.Plan.Incompatibilities);
        Assert.Equal(FeatureType.Int64, (await Store.GetViewAsync(FeatureUri.Parse("features:/airport_delays@2"))).View!.Features[0].Type);
    }

    [Fact]
    public async Task Apply_RemovedDefinition_IsAVersionWithoutContentAndCanComeBack()
    {
        await Store.ApplyAsync(Delays);
        var removed = await Store.ApplyAsync(Delays with { Services = [] });

        var tombstone = Assert.Single(removed.Versions);
        Assert.Equal(("delay_v1", 2, true, null), (tombstone.Name, tombstone.Version, tombstone.Removed, tombstone.Service));
        Assert.Empty((await Store.GetRepositoryAsync()).Services);
        var gone = await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetDefinitionAsync(FeatureDefinitionKinds.Service, "delay_v1"));
        Assert.Contains("removed", gone.Message);
        Same(Delays.Services[0], (await Store.GetDefinitionAsync(FeatureDefinitionKinds.Service, "delay_v1", 1)).Service);

        var back = await Store.ApplyAsync(Delays);
        Assert.Equal(3, Assert.Single(back.Versions).Version);
        Assert.Equal([3, 2, 1], (await Store.ListVersionsAsync(FeatureDefinitionKinds.Service, "delay_v1")).Select(v => v.Version));
    }

    [Fact]
    public async Task Apply_InvalidDefinitions_AreRefusedAndWriteNothing()
    {
        var message = (await Fails(ErrorCodes.InvalidParameterValue, () => Store.ApplyAsync(WithView(Delays, v => v with { Entities = ["nowhere"] })))).Message;
        Assert.Contains("'nowhere'", message);
        Same(FeatureRepository.Empty, await Store.GetRepositoryAsync());
        Assert.Empty(await Store.ListHistoryAsync());
    }

    [Fact]
    public async Task Apply_Concurrent_EachCommitsWholeOrFailsRetryably()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(1, 4).Select(hours => Task.Run(async () =>
        {
            try
            {
                await Store.ApplyAsync(WithView(Delays, v => v with { Ttl = TimeSpan.FromHours(hours) }));
                return true;
            }
            catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceAlreadyExists)
            {
                return false; // lost a race on PostgreSQL: nothing written, apply again
            }
        })));

        var committed = outcomes.Count(ok => ok);
        Assert.True(committed >= 1);
        var versions = await Store.ListVersionsAsync(FeatureDefinitionKinds.View, "airport_delays");
        Assert.Equal(Enumerable.Range(1, committed).Reverse(), versions.Select(v => v.Version));
        Assert.Equal(Enumerable.Range(1, committed).Select(a => (long)a).Reverse(), versions.Select(v => v.Apply));
        Assert.Equal(1, (await Store.GetDefinitionAsync(FeatureDefinitionKinds.Service, "delay_v1")).Version);
    }

    private static FeatureViewStatistics DelayStatistics(long rows, double mean) => new("airport_delays", rows,
        new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 3, 7, 23, 59, 59, 123, TimeSpan.Zero).AddTicks(4560),
        [
            new FeatureStatistic("avg_delay_7d", FeatureType.Double, rows, 3, 40, "-2.5", "88", mean, 12.25, [1, 2, 3.5, 4, 5], null),
            new FeatureStatistic("last_seen", FeatureType.Timestamp, rows, 0, rows, "2024-03-01T00:00:00.000000Z", "2024-03-07T00:00:00.000000Z", null, null, null, null),
        ]);

    [Fact]
    public async Task Statistics_RecordedPerViewVersion_ComeBackWholeNewestFirst()
    {
        await Store.ApplyAsync(Delays);
        Assert.Empty(await Store.ListStatisticsAsync("airport_delays"));
        Assert.Null(await Store.GetLatestStatisticsAsync("airport_delays"));
        var start = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

        var first = await Store.RecordStatisticsAsync("airport_delays", 1, DelayStatistics(100, 7.5), start, start.AddDays(7));
        await Store.ApplyAsync(WithView(Delays, v => v with { Ttl = TimeSpan.FromHours(12) }));
        var second = await Store.RecordStatisticsAsync("airport_delays", 2, DelayStatistics(250, 9.25));

        Assert.Equal((1L, "features:/airport_delays@1", 2L, "features:/airport_delays@2"), (first.Number, first.ViewAddress, second.Number, second.ViewAddress));
        Assert.True(first.RecordTime > 0);
        var listed = await Store.ListStatisticsAsync("airport_delays");
        Assert.Equal([2L, 1L], listed.Select(s => s.Number));
        Same(first, listed[1]);
        Same(second, listed[0]);
        Assert.Equal((start, start.AddDays(7)), (listed[1].Start!.Value, listed[1].End!.Value));
        Assert.Equal(DelayStatistics(1, 0).NewestEventTime, listed[0].Statistics.NewestEventTime); // microseconds kept
        Assert.Equal((250L, 9.25, (int?)null), (listed[0].Statistics.Rows, listed[0].Statistics.Features[0].Mean, listed[0].Start?.Offset.Hours));
        Same(second, await Store.GetLatestStatisticsAsync("airport_delays"));
        Assert.Single(await Store.ListStatisticsAsync("airport_delays", maxResults: 1));
        Assert.Empty(await Store.ListStatisticsAsync("other_view"));
    }

    [Fact]
    public async Task Statistics_ThatCannotBeTheVersions_AreRefusedAndWriteNothing()
    {
        await Store.ApplyAsync(Delays);
        var good = DelayStatistics(10, 1);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.RecordStatisticsAsync("airport_delays", 2, good));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.RecordStatisticsAsync("nope", 1, good with { View = "nope" }));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.RecordStatisticsAsync("airport_delays", 1, good with { View = "other" }));
        var undeclared = await Fails(ErrorCodes.InvalidParameterValue, () => Store.RecordStatisticsAsync("airport_delays", 1,
            good with { Features = [good.Features[0] with { Feature = "ghost" }] }));
        Assert.Contains("'ghost'", undeclared.Message);
        Assert.Contains("flights_7d", undeclared.Message);
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.RecordStatisticsAsync("airport_delays", 1, good with { Features = [good.Features[0] with { Type = FeatureType.Int64 }] }));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.RecordStatisticsAsync("airport_delays", 1, good with { Features = [good.Features[0], good.Features[0]] }));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.RecordStatisticsAsync("airport_delays", 1, good with { Features = [good.Features[0] with { Nulls = 11 }] }));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.RecordStatisticsAsync("airport_delays", 1, good with { Rows = -1 }));
        var start = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.RecordStatisticsAsync("airport_delays", 1, good, start, start));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.ListStatisticsAsync("airport_delays", maxResults: 0));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.ListStatisticsAsync("bad name!"));
        Assert.Empty(await Store.ListStatisticsAsync("airport_delays"));

        await Store.ApplyAsync(Delays with { Views = [], Services = [] }, force: true);
        var removal = await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.RecordStatisticsAsync("airport_delays", 2, good));
        Assert.Contains("removal", removal.Message);
        Assert.Equal(1L, (await Store.RecordStatisticsAsync("airport_delays", 1, good)).Number); // an older definition still takes statistics
    }

    [Fact]
    public async Task Reads_BadOrUnknownArguments_AreRefusedClearly()
    {
        await Store.ApplyAsync(Delays);
        Assert.Contains("features:/nope@1", (await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetViewAsync(FeatureUri.Parse("features:/nope@1")))).Message);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetDefinitionAsync(FeatureDefinitionKinds.View, "airport_delays", 9));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.ListVersionsAsync(FeatureDefinitionKinds.Entity, "nope"));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.GetDefinitionAsync("table", "airport_delays"));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.GetDefinitionAsync(FeatureDefinitionKinds.View, "airport_delays", 0));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.GetDefinitionAsync(FeatureDefinitionKinds.View, "bad name!"));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.ListHistoryAsync(maxResults: 0));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.ListHistoryAsync(maxResults: FeatureDefinitionKinds.MaxDefinitions + 1));
    }
}

public sealed class SqliteFeatureDefinitionStoreContract : FeatureDefinitionStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteStores? _stores;

    protected override Task<IFeatureDefinitionStore> OpenStoreAsync()
    {
        _stores = new SqliteStores(_folder.File("cairn.db"));
        return Task.FromResult<IFeatureDefinitionStore>(_stores.Features);
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PostgresFeatureDefinitionStoreContract : FeatureDefinitionStoreContract
{
    private Cairn.Storage.Postgres.PostgresStores? _stores;

    protected override async Task<IFeatureDefinitionStore> OpenStoreAsync()
    {
        _stores = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());
        return _stores.Features;
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RestFeatureDefinitionStoreContract : FeatureDefinitionStoreContract
{
    private RunningServer? _server;
    private RestTransport? _transport;

    protected override async Task<IFeatureDefinitionStore> OpenStoreAsync()
    {
        _server = await RunningServer.StartAsync();
        _transport = new RestTransport(_server.BaseUri);
        return new RestFeatureDefinitionStore(_transport);
    }

    protected override async Task CloseStoreAsync()
    {
        _transport?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

public sealed class FeatureDefinitionCopyTests
{
    [Fact]
    public async Task MetadataCopier_SqliteToPostgres_KeepsEveryVersionAndGoesOnFromThem()
    {
        using var folder = new TempFolder();
        using var source = new SqliteStores(folder.File("cairn.db"));
        var entity = new EntityDefinition("airport", [new FeatureField("origin", FeatureType.String)]);
        var sourceDefinition = new FeatureSourceDefinition("flights", FeatureSourceKinds.File, "ts", Path: "f.parquet");
        var view = new FeatureViewDefinition("delays", ["airport"], "flights", [new FeatureField("avg", FeatureType.Double)]);
        var repository = new FeatureRepository([entity], [sourceDefinition], [view], []);
        await source.Features.ApplyAsync(repository);
        await source.Features.ApplyAsync(repository with { Views = [view with { Ttl = TimeSpan.FromDays(1) }] });
        using var target = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());

        var counts = await Cairn.Storage.Sql.MetadataCopier.CopyAsync(source.Database, target.Database);

        Assert.Equal((2, 4), (counts["feature_applies"], counts["feature_definitions"]));
        Assert.Equal(TimeSpan.FromDays(1), (await target.Features.GetViewAsync(FeatureUri.Parse("features:/delays"))).View!.Ttl);
        var next = await target.Features.ApplyAsync(repository);
        Assert.Equal((3L, 3), (next.Apply, Assert.Single(next.Versions).Version));
    }
}
