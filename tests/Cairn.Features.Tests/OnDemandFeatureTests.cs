using Cairn.Features.TestFunctions;

namespace Cairn.Features.Tests;

/// <summary>
/// On-demand features: computed by the same C# function from request values and stored features,
/// in training sets (after the point-in-time join) and in online lookups, with clear errors.
/// </summary>
public sealed class OnDemandFeatureTests : IDisposable
{
    private static readonly DateTime At = RandomScenario.Start;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly OnDemandFeatureFunctions Functions = new([new DelayRatio(), new RefusesNegativeMinutes(), new GivesText()]);

    private static FeatureRepository Repository(string function = "delay_ratio") => new(
        [new EntityDefinition("airport", [new FeatureField("origin", FeatureType.String)])],
        [new FeatureSourceDefinition("delays", FeatureSourceKinds.File, "ts", Path: "delays.parquet")],
        [new FeatureViewDefinition("airport_delays", ["airport"], "delays", [new FeatureField("avg_delay_7d", FeatureType.Double)])],
        [new FeatureServiceDefinition("delay_v1", [FeatureReference.Parse("airport_delays:avg_delay_7d"), FeatureReference.Parse("delay_ratios:delay_ratio")])])
    {
        OnDemandViews = [new OnDemandFeatureViewDefinition("delay_ratios", [new FeatureField("scheduled_minutes", FeatureType.Int64)],
            [FeatureReference.Parse("airport_delays:avg_delay_7d")], [new FeatureField("delay_ratio", FeatureType.Double)], function)],
    };

    /// <summary>A fixed set of definitions, as the online service reads them.</summary>
    private sealed class FixedDefinitions(FeatureRepository repository) : IFeatureDefinitionStore
    {
        public Task<FeatureRepository> GetRepositoryAsync(CancellationToken ct = default) => Task.FromResult(repository);
        public Task<FeatureApplyResult> ApplyAsync(FeatureRepository proposed, bool force = false, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<FeatureDefinitionVersion> GetDefinitionAsync(string kind, string name, int? version = null, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<FeatureDefinitionVersion>> ListVersionsAsync(string kind, string name, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<FeatureDefinitionVersion>> ListHistoryAsync(int maxResults = 100, CancellationToken ct = default) => throw new NotSupportedException();
        public Task<FeatureStatisticsSnapshot> RecordStatisticsAsync(string view, int viewVersion, FeatureViewStatistics statistics, DateTimeOffset? start = null, DateTimeOffset? end = null,
            CancellationToken ct = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<FeatureStatisticsSnapshot>> ListStatisticsAsync(string view, int maxResults = 10, CancellationToken ct = default) => throw new NotSupportedException();
    }

    private static (string Origin, double? Delay)[] Airports(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => ($"A{i:D3}", random.Next(5) == 0 ? (double?)null : Math.Round(random.NextDouble() * 90 - 10, 3)))];
    }

    private void WriteSource(IEnumerable<(string Origin, double? Delay)> airports, IEnumerable<object?[]>? extra = null) =>
        Tables.Write(_folder.File("delays.parquet"), [("origin", "VARCHAR"), ("ts", "TIMESTAMP"), ("avg_delay_7d", "DOUBLE")],
            [.. airports.Select(a => new object?[] { a.Origin, At, a.Delay }), .. extra ?? []]);

    private async Task<(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)> TrainAsync(FeatureRepository repository, IReadOnlyList<FeatureReference> features, OnDemandFeatureFunctions? functions = null)
    {
        await PointInTimeJoiner.JoinAsync(repository, features, _folder.File("entities.parquet"), _folder.File("train.parquet"),
            new PointInTimeOptions { SourceRoot = _folder.Path, Functions = functions ?? Functions });
        return Tables.Read(_folder.File("train.parquet"));
    }

    private static LocalOnlineFeatureService Online(FeatureRepository repository, MemoryOnlineStore store, OnDemandFeatureFunctions? functions = null) =>
        new(new FixedDefinitions(repository), store, "unused-push-log", functions: functions ?? Functions);

    private static async Task<MemoryOnlineStore> StoreAsync(IEnumerable<(string Origin, double? Delay)> airports)
    {
        var store = new MemoryOnlineStore();
        await store.WriteAsync("airport_delays", [new FeatureField("avg_delay_7d", FeatureType.Double)],
            [.. airports.Select(a => new OnlineFeatureRow([a.Origin], new DateTimeOffset(At), new Dictionary<string, object?> { ["avg_delay_7d"] = a.Delay }))]);
        return store;
    }

    [Fact]
    public async Task ATrainingSet_HoldsTheFunctionOfEachRowsJoinedValues_AndRequestFields()
    {
        // SEA changes after the first entity row: the function must see the value as of each row.
        WriteSource([("SEA", 30.0), ("JFK", 12.0)], [["SEA", At.AddHours(2), 60.0]]);
        Tables.Write(_folder.File("entities.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP"), ("scheduled_minutes", "BIGINT")],
            [["SEA", At.AddHours(1), 120L], ["SEA", At.AddHours(3), 120L], ["JFK", At.AddHours(-1), 45L], ["JFK", At.AddHours(1), 0L]]);

        var (columns, rows) = await TrainAsync(Repository(), FeatureSelectionOfService());

        Assert.Equal(["origin", "event_timestamp", "scheduled_minutes", "avg_delay_7d", "delay_ratio"], columns);
        Assert.Equal([30.0, 60.0, null, 12.0], rows.Select(r => r[3]));
        Assert.Equal(rows.Select(r => DelayRatio.Ratio((double?)r[3], (long)r[2]!)), rows.Select(r => (double?)r[4]));
        Assert.Equal(12.0, rows[3][4]); // max(1, 0) minutes
    }

    private static IReadOnlyList<FeatureReference> FeatureSelectionOfService() => Repository().Services[0].Features;

    [Fact]
    public async Task ATrainingSet_OfTheOnDemandFeatureAlone_ReadsItsInputWithoutWritingIt()
    {
        WriteSource([("SEA", 30.0)]);
        Tables.Write(_folder.File("entities.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP"), ("scheduled_minutes", "BIGINT")], [["SEA", At.AddHours(1), 60L]]);

        var (columns, rows) = await TrainAsync(Repository(), [FeatureReference.Parse("delay_ratios:delay_ratio")]);

        Assert.Equal(["origin", "event_timestamp", "scheduled_minutes", "delay_ratio"], columns);
        Assert.Equal(0.5, Assert.Single(rows)[3]);
    }

    [Fact]
    public async Task AnOnlineLookup_EchoesRequestValues_AndComputesEachRow_NotFoundWhenTheInputIsMissing()
    {
        var online = Online(Repository(), await StoreAsync([("SEA", 30.0), ("BOS", null)]));
        var entities = new Dictionary<string, IReadOnlyList<object?>> { ["origin"] = ["SEA", "BOS", "LAX"], ["scheduled_minutes"] = [60L, 30, 10L] };

        var response = await online.GetOnlineFeaturesAsync(new OnlineFeatureRequest(null, "delay_v1", entities));

        Assert.Equal(["origin", "scheduled_minutes", "avg_delay_7d", "delay_ratio"], response.FeatureNames);
        Assert.Equal([60L, 30, 10L], response.Results[1].Values);
        var ratio = response.Results[3];
        Assert.Equal([0.5, null, null], ratio.Values);
        Assert.Equal([OnlineFeatureStatuses.Present, OnlineFeatureStatuses.NullValue, OnlineFeatureStatuses.NotFound], ratio.Statuses);
        Assert.Equal([new DateTimeOffset(At), new DateTimeOffset(At), DateTimeOffset.UnixEpoch], ratio.EventTimestamps);
    }

    [Fact]
    public async Task TheSameInputs_GiveIdenticalValues_OnlineAndInATrainingSet()
    {
        var airports = Airports(60, seed: 7);
        var minutes = new Random(11);
        var scheduled = airports.Select(_ => (long)minutes.Next(-5, 400)).ToArray();
        WriteSource(airports);
        Tables.Write(_folder.File("entities.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP"), ("scheduled_minutes", "BIGINT")],
            airports.Select((a, i) => new object?[] { a.Origin, At.AddDays(1), scheduled[i] }));
        var online = Online(Repository(), await StoreAsync(airports));

        var (_, rows) = await TrainAsync(Repository(), [FeatureReference.Parse("delay_ratios:delay_ratio")]);
        var response = await online.GetOnlineFeaturesAsync(new OnlineFeatureRequest([FeatureReference.Parse("delay_ratios:delay_ratio")], null,
            new Dictionary<string, IReadOnlyList<object?>> { ["origin"] = [.. airports.Select(a => (object?)a.Origin)], ["scheduled_minutes"] = [.. scheduled.Select(s => (object?)s)] }));

        var offline = rows.Select(r => r[3]).ToList();
        Assert.Contains(offline, v => v is null);
        Assert.Equal(offline, response.Results[2].Values);
    }

    [Fact]
    public async Task AMissingRequestField_IsRefusedNamingIt()
    {
        var online = Online(Repository(), await StoreAsync([("SEA", 30.0)]));

        var error = await Assert.ThrowsAsync<CairnException>(() => online.GetOnlineFeaturesAsync(
            new OnlineFeatureRequest(null, "delay_v1", new Dictionary<string, IReadOnlyList<object?>> { ["origin"] = ["SEA"] })));

        Assert.Contains("needs the request field(s) 'scheduled_minutes'", error.Message);
    }

    [Fact]
    public async Task ARequestValueOfTheWrongType_IsRefusedNamingTheRow()
    {
        var online = Online(Repository(), await StoreAsync([("SEA", 30.0)]));

        var error = await Assert.ThrowsAsync<CairnException>(() => online.GetOnlineFeaturesAsync(
            new OnlineFeatureRequest(null, "delay_v1", new Dictionary<string, IReadOnlyList<object?>> { ["origin"] = ["SEA", "SEA"], ["scheduled_minutes"] = [5L, "soon"] })));

        Assert.Contains("Entity row 2: request field 'scheduled_minutes' of on-demand feature view 'delay_ratios' must be int64, got the string \"soon\"", error.Message);
    }

    [Fact]
    public async Task AFunctionNotLoaded_IsRefusedOnlineAndOffline_NamingItAndTheLoadedOnes()
    {
        WriteSource([("SEA", 30.0)]);
        Tables.Write(_folder.File("entities.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP"), ("scheduled_minutes", "BIGINT")], [["SEA", At.AddHours(1), 60L]]);
        var only = new OnDemandFeatureFunctions([new GivesText()]);
        var online = Online(Repository(), await StoreAsync([("SEA", 30.0)]), only);

        var offline = await Assert.ThrowsAsync<CairnException>(() => TrainAsync(Repository(), FeatureSelectionOfService(), only));
        var lookup = await Assert.ThrowsAsync<CairnException>(() => online.GetOnlineFeaturesAsync(new OnlineFeatureRequest(null, "delay_v1",
            new Dictionary<string, IReadOnlyList<object?>> { ["origin"] = ["SEA"], ["scheduled_minutes"] = [5L] })));
        var none = await Assert.ThrowsAsync<CairnException>(() => TrainAsync(Repository(), FeatureSelectionOfService(), OnDemandFeatureFunctions.None));

        Assert.Contains("needs the function 'delay_ratio', which is not among the loaded feature functions (registered in code): gives_text", offline.Message);
        Assert.Equal(offline.Message, lookup.Message);
        Assert.Contains("no feature functions are loaded: give the assembly that holds it with --feature-functions", none.Message);
        Assert.False(File.Exists(_folder.File("train.parquet")));
    }

    [Fact]
    public async Task AFunctionThatThrows_IsReportedWithTheRowItFailedOn()
    {
        var online = Online(Repository("refuses_negative_minutes"), await StoreAsync([("SEA", 30.0)]));

        var error = await Assert.ThrowsAsync<CairnException>(() => online.GetOnlineFeaturesAsync(new OnlineFeatureRequest(null, "delay_v1",
            new Dictionary<string, IReadOnlyList<object?>> { ["origin"] = ["SEA", "SEA", "SEA"], ["scheduled_minutes"] = [5L, 7L, -3L] })));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("The feature function 'refuses_negative_minutes' of on-demand feature view 'delay_ratios' failed on row 3 (scheduled_minutes=a Int64 (-3)", error.Message);
        Assert.Contains("InvalidOperationException: negative minutes", error.Message);
    }

    [Fact]
    public async Task AFunctionGivingAValueOfAnotherType_IsRefusedInATrainingSet()
    {
        WriteSource([("SEA", 30.0)]);
        Tables.Write(_folder.File("entities.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP"), ("scheduled_minutes", "BIGINT")], [["SEA", At.AddHours(1), 60L]]);

        var error = await Assert.ThrowsAsync<CairnException>(() => TrainAsync(Repository("gives_text"), FeatureSelectionOfService()));

        Assert.Contains("The feature function 'gives_text' of on-demand feature view 'delay_ratios' gave the string \"high\" as 'delay_ratio' for row 1, which is declared double", error.Message);
    }

    [Fact]
    public async Task AnEntityTableWithoutARequestField_IsRefusedBeforeAnyWork()
    {
        WriteSource([("SEA", 30.0)]);
        Tables.Write(_folder.File("entities.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP")], [["SEA", At.AddHours(1)]]);

        var error = await Assert.ThrowsAsync<CairnException>(() => TrainAsync(Repository(), FeatureSelectionOfService()));

        Assert.Contains("has no column 'scheduled_minutes', a request field of on-demand feature view 'delay_ratios'", error.Message);
    }

    [Fact]
    public void Yaml_ReadsOnDemandViews_AndRefusesAnUnknownKey()
    {
        const string Text = """
            entities: [{name: airport, join_keys: [{name: origin, type: string}]}]
            sources: [{name: delays, path: delays.parquet, timestamp_field: ts}]
            feature_views: [{name: airport_delays, entities: [airport], source: delays, features: [{name: avg_delay_7d, type: double}]}]
            on_demand_feature_views:
              - name: delay_ratios
                request_fields: [{name: scheduled_minutes, type: int64}]
                inputs: [airport_delays:avg_delay_7d]
                function: delay_ratio
                features: [{name: delay_ratio, type: double}]
                description: delay per scheduled minute
            feature_services: [{name: delay_v1, features: [delay_ratios:delay_ratio]}]
            """;

        var repository = FeatureRepositoryYaml.Parse(Text, "delays.yaml");
        var error = Assert.Throws<CairnException>(() => FeatureRepositoryYaml.Parse(Text.Replace("function: delay_ratio", "fn: delay_ratio"), "delays.yaml"));

        var view = Assert.Single(repository.OnDemandViews);
        Assert.Equal(("delay_ratios", "delay_ratio", "delay per scheduled minute"), (view.Name, view.Function, view.Description));
        Assert.Equal([new FeatureField("scheduled_minutes", FeatureType.Int64)], view.RequestFields);
        Assert.Equal([FeatureReference.Parse("airport_delays:avg_delay_7d")], view.Inputs);
        Assert.Equal([new FeatureField("delay_ratio", FeatureType.Double)], view.Features);
        Assert.Contains("delays.yaml:8: 'fn' is not a key of an on-demand feature view", error.Message);
    }

    [Fact]
    public void LoadAssembly_FindsEveryFunctionInTheFile_AndTheyCompute()
    {
        var loaded = OnDemandFeatureFunctions.LoadAssembly(typeof(DelayRatio).Assembly.Location);
        var missing = Assert.Throws<CairnException>(() => OnDemandFeatureFunctions.LoadAssembly(_folder.File("nope.dll")));
        File.WriteAllText(_folder.File("text.dll"), "not an assembly");
        var notAssembly = Assert.Throws<CairnException>(() => OnDemandFeatureFunctions.LoadAssembly(_folder.File("text.dll")));

        Assert.Equal(["delay_ratio", "gives_text", "refuses_negative_minutes"], loaded.Names);
        var row = new Dictionary<string, object?> { ["avg_delay_7d"] = 30.0, ["scheduled_minutes"] = 60L };
        Assert.Equal(0.5, loaded.Get("delay_ratio", "v").Compute([row])[0]["delay_ratio"]);
        Assert.Contains("there is no assembly at", missing.Message);
        Assert.Contains("cannot be loaded as a .NET assembly", notAssembly.Message);
    }
}
