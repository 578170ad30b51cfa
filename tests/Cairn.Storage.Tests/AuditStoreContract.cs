using Cairn.Security;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>What every audit store must do; run on SQLite and PostgreSQL.</summary>
public abstract class AuditStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    protected IAuditStore Store { get; private set; } = null!;
    protected Clock Time { get; } = new(Start);

    protected abstract Task<IAuditStore> OpenStoreAsync(TimeProvider time);
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync(Time);

    public Task DisposeAsync() => CloseStoreAsync();

    private static AuditEvent Event(string? user, string path = "/api/2.0/mlflow/experiments/create", int status = 200) =>
        new(user, "10.0.0.7", "POST", path, "experiment_id=1", status);

    [Fact]
    public async Task Append_NumbersFromOne_LinksEachEntryToTheOneBefore_AndRoundTripsEveryField()
    {
        var first = await Store.AppendAsync(Event("alice"));
        Time.Advance(TimeSpan.FromSeconds(1));
        var second = await Store.AppendAsync(new AuditEvent(null, null, "DELETE", "/api/2.0/mlflow/runs/delete", "", 404));

        Assert.Equal((1L, AuditEntry.GenesisHash, Start.ToUnixTimeMilliseconds()), (first.Sequence, first.PreviousHash, first.Time));
        Assert.Equal((2L, first.Hash), (second.Sequence, second.PreviousHash));
        Assert.Equal(second.Compute(), second.Hash);
        var chain = new List<AuditEntry>();
        await foreach (var entry in Store.ReadChainAsync()) chain.Add(entry);
        Assert.Equal([first, second], chain);
        Assert.Null(chain[1].Username);
        Assert.Null(chain[1].RemoteAddress);
    }

    [Fact]
    public async Task List_FiltersByTimeAndUser_NewestFirst_UpToTheMaximum()
    {
        foreach (var user in new[] { "alice", "bob", "alice", null, "alice" })
        {
            await Store.AppendAsync(Event(user));
            Time.Advance(TimeSpan.FromMinutes(1));
        }
        var third = Start.AddMinutes(2).ToUnixTimeMilliseconds();

        Assert.Equal([5L, 4, 3, 2, 1], (await Store.ListAsync(new AuditQuery())).Select(e => e.Sequence));
        Assert.Equal([5L, 3, 1], (await Store.ListAsync(new AuditQuery(Username: "alice"))).Select(e => e.Sequence));
        Assert.Equal([5L, 3], (await Store.ListAsync(new AuditQuery(Since: third, Username: "alice"))).Select(e => e.Sequence));
        Assert.Equal([2L, 1], (await Store.ListAsync(new AuditQuery(Until: third))).Select(e => e.Sequence));
        Assert.Equal([5L, 4], (await Store.ListAsync(new AuditQuery(MaxResults: 2))).Select(e => e.Sequence));
        Assert.Empty(await Store.ListAsync(new AuditQuery(Username: "nobody")));
        var e = await Assert.ThrowsAsync<CairnException>(() => Store.ListAsync(new AuditQuery(MaxResults: 0)));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
    }

    [Fact]
    public async Task ConcurrentAppends_FormOneUnbrokenChain()
    {
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => Store.AppendAsync(Event($"user{i}")))));

        var verification = await AuditChain.VerifyAsync(Store.ReadChainAsync());

        Assert.True(verification.Intact, verification.Break?.Message);
        Assert.Equal(50, verification.Count);
        Assert.Equal(50, (await Store.ListAsync(new AuditQuery(MaxResults: 100))).Select(e => e.Username).Distinct().Count());
    }

    /// <summary>A clock the test moves.</summary>
    protected sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;
        public override DateTimeOffset GetUtcNow() => _now;
        public void Advance(TimeSpan by) => _now += by;
    }
}

public sealed class SqliteAuditStoreContract : AuditStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteStores? _stores;

    protected override Task<IAuditStore> OpenStoreAsync(TimeProvider time)
    {
        _stores = new SqliteStores(_folder.File("cairn.db"), time);
        return Task.FromResult<IAuditStore>(_stores.Audit);
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PostgresAuditStoreContract : AuditStoreContract
{
    private Cairn.Storage.Postgres.PostgresStores? _stores;

    protected override async Task<IAuditStore> OpenStoreAsync(TimeProvider time)
    {
        _stores = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase(), time);
        return _stores.Audit;
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class AuditCopyTests
{
    [Fact]
    public async Task MetadataCopier_SqliteToPostgres_KeepsTheChain_AndTheCopyAppendsOnIt()
    {
        using var folder = new TempFolder();
        using var source = new SqliteStores(folder.File("cairn.db"));
        await source.Audit.AppendAsync(new AuditEvent("alice", "10.0.0.7", "POST", "/api/2.0/mlflow/experiments/create", "experiment_id=1", 200));
        var last = await source.Audit.AppendAsync(new AuditEvent(null, null, "POST", "/api/2.0/mlflow/runs/create", "", 200));
        using var target = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());

        var counts = await Cairn.Storage.Sql.MetadataCopier.CopyAsync(source.Database, target.Database);
        var next = await target.Audit.AppendAsync(new AuditEvent("bob", "10.0.0.8", "DELETE", "/x", "", 200));

        Assert.Equal(2, counts["audit_log"]);
        Assert.Equal((3L, last.Hash), (next.Sequence, next.PreviousHash));
        var verification = await AuditChain.VerifyAsync(target.Audit.ReadChainAsync());
        Assert.True(verification.Intact, verification.Break?.Message);
        Assert.Equal((3L, next.Hash), (verification.Count, verification.Head));
    }

    [Fact]
    public async Task MetadataCopier_RefusesATargetThatHasAuditEntriesOfItsOwn()
    {
        using var folder = new TempFolder();
        using var source = new SqliteStores(folder.File("cairn.db"));
        await source.Audit.AppendAsync(new AuditEvent("alice", null, "POST", "/a", "", 200));
        using var target = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());
        await target.Audit.AppendAsync(new AuditEvent("bob", null, "POST", "/b", "", 200));

        var refused = await Assert.ThrowsAsync<CairnException>(() => Cairn.Storage.Sql.MetadataCopier.CopyAsync(source.Database, target.Database));

        Assert.Equal(ErrorCodes.InvalidState, refused.ErrorCode);
        Assert.Contains("audit entries", refused.Message);
    }
}
