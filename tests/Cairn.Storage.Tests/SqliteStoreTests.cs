using Cairn.Storage.Sqlite;
using Cairn.Testing;
using Cairn.Tracking;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Tests;

/// <summary>What only the SQLite backend promises: WAL, migrations, durability across reopen.</summary>
public class SqliteStoreTests
{
    [Fact]
    public void Open_NewFile_UsesWalAndRecordsTheSchemaVersion()
    {
        using var folder = new TempFolder();
        using (new SqliteTrackingStore(folder.File("cairn.db"))) { }

        using var connection = new SqliteConnection($"Data Source={folder.File("cairn.db")};Pooling=false");
        connection.Open();
        using var mode = connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", mode.ExecuteScalar());
        Assert.Equal(SqliteSchema.LatestVersion, SqliteSchema.CurrentVersion(connection));
    }

    [Fact]
    public async Task Reopen_KeepsEverythingWritten()
    {
        using var folder = new TempFolder();
        string runId;
        using (var store = new SqliteTrackingStore(folder.File("cairn.db")))
        {
            var run = await store.CreateRunAsync(new NewRun("0"));
            runId = run.Info.RunId;
            await store.LogBatchAsync(runId, new LogBatch([new Metric("m", 1.5, 1, 3)], [new Param("p", "v")]));
        }
        using var reopened = new SqliteTrackingStore(folder.File("cairn.db"));
        var read = await reopened.GetRunAsync(runId);
        Assert.Equal(1.5, read.Data.Metrics.Single().Value);
        Assert.Equal("v", read.Data.Params.Single().Value);
    }

    [Fact]
    public void Open_DatabaseFromANewerCairn_IsRefusedWithAClearMessage()
    {
        using var folder = new TempFolder();
        using (new SqliteTrackingStore(folder.File("cairn.db"))) { }
        using (var connection = new SqliteConnection($"Data Source={folder.File("cairn.db")};Pooling=false"))
        {
            connection.Open();
            using var bump = connection.CreateCommand();
            bump.CommandText = "INSERT INTO schema_migrations VALUES (999, 'future', 0)";
            bump.ExecuteNonQuery();
        }

        var error = Assert.Throws<CairnException>(() => new SqliteTrackingStore(folder.File("cairn.db")));
        Assert.Contains("newer than this Cairn build", error.Message);
    }

    [Fact]
    public async Task ConcurrentWriters_OnOneStore_LoseNothing()
    {
        using var folder = new TempFolder();
        using var store = new SqliteTrackingStore(folder.File("cairn.db"));
        var run = await store.CreateRunAsync(new NewRun("0"));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var b = 0; b < 10; b++)
                await store.LogBatchAsync(run.Info.RunId, new LogBatch(
                    Enumerable.Range(0, 100).Select(i => new Metric($"w{w}", i, 1, b * 100 + i)).ToList()));
        })));

        for (var w = 0; w < 8; w++)
            Assert.Equal(1000, (await store.GetMetricHistoryAsync(run.Info.RunId, $"w{w}")).Items.Count);
    }

    [Theory]
    [InlineData("lg%", "lg*")]
    [InlineData("a_b", "a?b")]
    [InlineData("x*y?[z", "x[*]y[?][[]z")]
    public void LikeToGlob_TranslatesWildcardsAndEscapesGlobCharacters(string like, string glob)
    {
        Assert.Equal(glob, SqliteDialect.LikeToGlob(like));
    }
}
