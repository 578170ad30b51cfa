using Cairn.Data;
using Cairn.Pipelines;
using Cairn.Rest;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>What every pipeline schedule store must do; run on SQLite, PostgreSQL and through the REST client.</summary>
public abstract class PipelineScheduleStoreContract : IAsyncLifetime
{
    private readonly TempFolder _files = new();

    protected IPipelineScheduleStore Store { get; private set; } = null!;
    protected IDatasetStore Datasets { get; private set; } = null!;

    protected abstract Task<(IPipelineScheduleStore, IDatasetStore)> OpenStoresAsync();
    protected abstract Task CloseStoresAsync();

    public async Task InitializeAsync() => (Store, Datasets) = await OpenStoresAsync();

    public async Task DisposeAsync()
    {
        await CloseStoresAsync();
        _files.Dispose();
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private string PipelineFile()
    {
        var path = _files.File("cairn.pipeline.yaml");
        if (!File.Exists(path)) File.WriteAllText(path, "name: nightly\nsteps: []\n");
        return path;
    }

    private NewPipelineSchedule Schedule(string name, string cron = "0 3 * * *", string zone = "Europe/Paris") =>
        new(name, PipelineFile(), cron, zone, new Dictionary<string, string> { ["epochs"] = "3", ["Mixed-Case"] = "x y" });

    private NewPipelineFire Fire(string source, string key, string? owner = "server-a") =>
        new(FireSources.Schedule, source, key, PipelineFile(), 1_700_000_000_000, new Dictionary<string, string> { ["epochs"] = "3" }, owner);

    private static async Task<CairnException> Fails(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<CairnException>(action);
        Assert.Equal(code, e.ErrorCode);
        return e;
    }

    [Fact]
    public async Task CreateSchedule_Valid_RoundTripsEveryField()
    {
        var name = Unique("nightly");
        var created = await Store.CreateScheduleAsync(Schedule(name));

        var got = await Store.GetScheduleAsync(name);
        Assert.Equal(created, got with { Parameters = created.Parameters });
        Assert.Equal(PipelineFile(), got.PipelineFile);
        Assert.Equal("0 3 * * *", got.Cron);
        Assert.Equal("Europe/Paris", got.TimeZone);
        Assert.Equal("x y", got.Parameters["Mixed-Case"]);
        Assert.Equal("3", got.Parameters["epochs"]);
        Assert.True(got.Enabled);
        Assert.True(got.CreationTime > 0);
        Assert.Equal(got.CreationTime, got.ActiveSince);
        Assert.Contains(await Store.ListSchedulesAsync(), s => s.Name == name);
    }

    [Fact]
    public async Task CreateSchedule_SameNameTwice_IsAlreadyExists()
    {
        var name = Unique("dup");
        await Store.CreateScheduleAsync(Schedule(name));
        var e = await Fails(ErrorCodes.ResourceAlreadyExists, () => Store.CreateScheduleAsync(Schedule(name)));
        Assert.Contains(name, e.Message);
    }

    [Theory]
    [InlineData("61 * * * *", "UTC", "cron")]
    [InlineData("not a cron", "UTC", "cron")]
    [InlineData("0 3 * * *", "Mars/Olympus_Mons", "time zone")]
    [InlineData("0 3 * * *", "", "time zone")]
    public async Task CreateSchedule_BadCronOrZone_IsInvalidParameter(string cron, string zone, string said)
    {
        var e = await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateScheduleAsync(Schedule(Unique("bad"), cron, zone)));
        Assert.Contains(said, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CreateSchedule_SecondsField_IsAccepted()
    {
        var created = await Store.CreateScheduleAsync(Schedule(Unique("fast"), "*/2 * * * * *", "UTC"));
        Assert.Equal("*/2 * * * * *", created.Cron);
    }

    [Theory]
    [InlineData("relative/cairn.pipeline.yaml", "absolute")]
    [InlineData("MISSING", "does not exist")]
    [InlineData("FOLDER", "folder")]
    public async Task CreateSchedule_FileNotAnAbsoluteExistingFile_IsInvalidParameter(string file, string said)
    {
        var path = file switch { "MISSING" => _files.File("nope.yaml"), "FOLDER" => _files.Path, _ => file };
        var e = await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateScheduleAsync(Schedule(Unique("file")) with { PipelineFile = path }));
        Assert.Contains(said, e.Message);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("a b")]
    [InlineData("-leading")]
    [InlineData("")]
    public async Task CreateSchedule_HostileName_IsInvalidParameter(string name) =>
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateScheduleAsync(Schedule(name)));

    [Fact]
    public async Task CreateSchedule_BadParameterName_IsInvalidParameter() =>
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateScheduleAsync(
            Schedule(Unique("p")) with { Parameters = new Dictionary<string, string> { ["a=b"] = "1" } }));

    [Fact]
    public async Task SetScheduleEnabled_DisableThenEnable_MovesActiveSinceOnlyOnEnable()
    {
        var name = Unique("toggle");
        var created = await Store.CreateScheduleAsync(Schedule(name));

        var disabled = await Store.SetScheduleEnabledAsync(name, false);
        await Task.Delay(5);
        var enabled = await Store.SetScheduleEnabledAsync(name, true);
        var again = await Store.SetScheduleEnabledAsync(name, true);

        Assert.False(disabled.Enabled);
        Assert.Equal(created.ActiveSince, disabled.ActiveSince);
        Assert.True(enabled.Enabled);
        Assert.True(enabled.ActiveSince > created.ActiveSince);
        Assert.Equal(enabled.ActiveSince, again.ActiveSince);
    }

    [Fact]
    public async Task DeleteSchedule_ThenGet_IsNotFound()
    {
        var name = Unique("gone");
        await Store.CreateScheduleAsync(Schedule(name));
        await Store.DeleteScheduleAsync(name);

        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetScheduleAsync(name));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.DeleteScheduleAsync(name));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.SetScheduleEnabledAsync(name, true));
    }

    [Fact]
    public async Task CreateTrigger_OnDataset_StartsAfterTheLatestVersionWithDefaultParameterName()
    {
        var dataset = Unique("flights");
        await Datasets.CreateVersionAsync(new NewDatasetVersion(dataset, "blake3:" + new string('a', 64), "file", 1, 1, "d.csv", null, null, null, "alice"));
        await Datasets.CreateVersionAsync(new NewDatasetVersion(dataset, "blake3:" + new string('b', 64), "file", 1, 1, "d.csv", null, null, null, "alice"));

        var trigger = await Store.CreateTriggerAsync(new NewPipelineTrigger(Unique("retrain"), PipelineFile(), TriggerEvents.Dataset, dataset));

        Assert.Equal(2, trigger.BaselineVersion);
        Assert.Equal("data", trigger.ParameterName);
        Assert.Equal(trigger, await Store.GetTriggerAsync(trigger.Name) with { Parameters = trigger.Parameters });
    }

    [Fact]
    public async Task CreateTrigger_OnDatasetNotYetTagged_HasBaselineZero()
    {
        var trigger = await Store.CreateTriggerAsync(new NewPipelineTrigger(Unique("first"), PipelineFile(), TriggerEvents.Dataset, Unique("new"), "input"));
        Assert.Equal(0, trigger.BaselineVersion);
        Assert.Equal("input", trigger.ParameterName);
    }

    [Fact]
    public async Task CreateTrigger_OnAlert_IsListedAndRemovable()
    {
        var name = Unique("on-drift");
        await Store.CreateTriggerAsync(new NewPipelineTrigger(name, PipelineFile(), TriggerEvents.Alert, "DriftHigh",
            Parameters: new Dictionary<string, string> { ["reason"] = "drift" }));

        var listed = Assert.Single(await Store.ListTriggersAsync(), t => t.Name == name);
        Assert.Equal("DriftHigh", listed.Source);
        Assert.Null(listed.ParameterName);
        Assert.Equal("drift", listed.Parameters["reason"]);

        await Store.DeleteTriggerAsync(name);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetTriggerAsync(name));
    }

    [Theory]
    [InlineData("cron", "x")]
    [InlineData("dataset", "bad name!")]
    [InlineData("alert", "")]
    public async Task CreateTrigger_BadEventOrSource_IsInvalidParameter(string kind, string source) =>
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateTriggerAsync(new NewPipelineTrigger(Unique("t"), PipelineFile(), kind, source)));

    [Fact]
    public async Task CreateTrigger_SameNameTwice_IsAlreadyExists()
    {
        var name = Unique("t");
        await Store.CreateTriggerAsync(new NewPipelineTrigger(name, PipelineFile(), TriggerEvents.Alert, "A"));
        await Fails(ErrorCodes.ResourceAlreadyExists, () => Store.CreateTriggerAsync(new NewPipelineTrigger(name, PipelineFile(), TriggerEvents.Alert, "A")));
    }

    [Fact]
    public async Task TryClaimFire_SameSourceAndKeyTwice_OnlyTheFirstGetsIt()
    {
        var source = Unique("s");
        var first = await Store.TryClaimFireAsync(Fire(source, "2026-01-01T03:00:00Z", "server-a"));
        var second = await Store.TryClaimFireAsync(Fire(source, "2026-01-01T03:00:00Z", "server-b"));
        var other = await Store.TryClaimFireAsync(Fire(source, "2026-01-02T03:00:00Z", "server-b"));

        Assert.NotNull(first);
        Assert.Equal(FireStatuses.Running, first.Status);
        Assert.Equal("server-a", first.Owner);
        Assert.Equal("3", first.Parameters["epochs"]);
        Assert.Null(second);
        Assert.NotNull(other);
    }

    [Fact]
    public async Task TryClaimFire_ManyAtOnce_ExactlyOneWins()
    {
        var source = Unique("race");
        var claims = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() => Store.TryClaimFireAsync(Fire(source, "k", $"server-{i}")))));
        Assert.Single(claims, c => c is not null);
        Assert.Single(await Store.ListFiresAsync(source));
    }

    [Fact]
    public async Task ClaimPendingFire_QueuedFire_GoesToExactlyOneOwner()
    {
        var source = Unique("alert");
        var queued = await Store.TryClaimFireAsync(Fire(source, "k1", owner: null) with { SourceKind = FireSources.Trigger });
        Assert.Equal(FireStatuses.Pending, queued!.Status);
        Assert.Null(queued.Owner);

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => Store.ClaimPendingFireAsync($"server-{i}"))));
        var mine = claims.Where(c => c?.FireId == queued.FireId).ToList();

        var claimed = Assert.Single(mine);
        Assert.Equal(FireStatuses.Running, claimed!.Status);
        Assert.NotNull(claimed.Owner);
    }

    [Fact]
    public async Task FinishFire_Running_RecordsOutcomeOnce()
    {
        var fire = (await Store.TryClaimFireAsync(Fire(Unique("f"), "k")))!;
        var runId = Ids.NewId();

        var finished = await Store.FinishFireAsync(fire.FireId, FireStatuses.Succeeded, runId, null);
        Assert.Equal(FireStatuses.Succeeded, finished.Status);
        Assert.Equal(runId, finished.PipelineRunId);
        Assert.NotNull(finished.EndTime);

        await Fails(ErrorCodes.InvalidState, () => Store.FinishFireAsync(fire.FireId, FireStatuses.Failed, null, "again"));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.FinishFireAsync(fire.FireId, "pending", null, null));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.FinishFireAsync(Ids.NewId(), FireStatuses.Failed, null, "x"));
    }

    [Fact]
    public async Task FinishFire_Failed_KeepsTheError()
    {
        var fire = (await Store.TryClaimFireAsync(Fire(Unique("f"), "k")))!;
        var failed = await Store.FinishFireAsync(fire.FireId, FireStatuses.Failed, null, "The pipeline nightly has no parameter 'x'.");
        Assert.Equal("The pipeline nightly has no parameter 'x'.", failed.Error);
        Assert.Null(failed.PipelineRunId);
    }

    [Fact]
    public async Task ListFires_BySource_NewestFirstAndCapped()
    {
        var source = Unique("list");
        foreach (var key in new[] { "a", "b", "c" })
        {
            await Store.TryClaimFireAsync(Fire(source, key));
            await Task.Delay(3);
        }
        await Store.TryClaimFireAsync(Fire(Unique("other"), "a"));

        var fires = await Store.ListFiresAsync(source);
        Assert.Equal(["c", "b", "a"], fires.Select(f => f.FireKey));
        Assert.Equal(["c", "b"], (await Store.ListFiresAsync(source, 2)).Select(f => f.FireKey));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.ListFiresAsync(source, 0));
    }

    [Fact]
    public async Task TryClaimFire_BadSourceKindOrKey_IsInvalidParameter()
    {
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.TryClaimFireAsync(Fire(Unique("s"), "k") with { SourceKind = "cron" }));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.TryClaimFireAsync(Fire(Unique("s"), "")));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.TryClaimFireAsync(Fire(Unique("s"), "k") with { PipelineFile = "relative.yaml" }));
    }
}

public sealed class SqlitePipelineScheduleStoreContract : PipelineScheduleStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteStores? _stores;

    protected override Task<(IPipelineScheduleStore, IDatasetStore)> OpenStoresAsync()
    {
        _stores = new SqliteStores(_folder.File("cairn.db"));
        return Task.FromResult<(IPipelineScheduleStore, IDatasetStore)>((_stores.Schedules, _stores.Datasets));
    }

    protected override Task CloseStoresAsync()
    {
        _stores?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RestPipelineScheduleStoreContract : PipelineScheduleStoreContract
{
    private RunningServer? _server;
    private RestTransport? _transport;

    protected override async Task<(IPipelineScheduleStore, IDatasetStore)> OpenStoresAsync()
    {
        _server = await RunningServer.StartAsync();
        _transport = new RestTransport(_server.BaseUri);
        return (new RestPipelineScheduleStore(_transport), new RestDatasetStore(_transport));
    }

    protected override async Task CloseStoresAsync()
    {
        _transport?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

public sealed class PostgresPipelineScheduleStoreContract : PipelineScheduleStoreContract
{
    private Cairn.Storage.Postgres.PostgresStores? _stores;

    protected override async Task<(IPipelineScheduleStore, IDatasetStore)> OpenStoresAsync()
    {
        _stores = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());
        return (_stores.Schedules, _stores.Datasets);
    }

    protected override Task CloseStoresAsync()
    {
        _stores?.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PipelineScheduleCopyTests
{
    [Fact]
    public async Task MetadataCopier_SqliteToPostgres_KeepsSchedulesTriggersAndFires()
    {
        using var folder = new TempFolder();
        var file = folder.File("cairn.pipeline.yaml");
        File.WriteAllText(file, "name: p\nsteps: []\n");
        using var source = new SqliteStores(folder.File("cairn.db"));
        await source.Schedules.CreateScheduleAsync(new NewPipelineSchedule("nightly", file, "0 3 * * *", "Europe/Paris", new Dictionary<string, string> { ["a"] = "1" }, Enabled: false));
        await source.Schedules.CreateTriggerAsync(new NewPipelineTrigger("react", file, TriggerEvents.Alert, "DriftHigh"));
        await source.Schedules.TryClaimFireAsync(new NewPipelineFire(FireSources.Schedule, "nightly", "2026-01-01T02:00:00Z", file, 1, null, "server-a"));
        using var target = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());

        var counts = await Cairn.Storage.Sql.MetadataCopier.CopyAsync(source.Database, target.Database);

        Assert.Equal(1, counts["pipeline_fires"]);
        var schedule = await target.Schedules.GetScheduleAsync("nightly");
        Assert.False(schedule.Enabled);
        Assert.Equal("1", schedule.Parameters["a"]);
        Assert.Equal("DriftHigh", (await target.Schedules.GetTriggerAsync("react")).Source);
        Assert.Null(await target.Schedules.TryClaimFireAsync(new NewPipelineFire(FireSources.Schedule, "nightly", "2026-01-01T02:00:00Z", file, 1, null, "server-b")));
    }
}
