using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace Cairn.Data.Tests;

/// <summary>The DVC workflow end to end through the CLI, on a real git repository.</summary>
public sealed class DataWorkflowTests
{
    private static void WriteFolder(GitRepo repo, string folder, int files, string salt)
    {
        for (var i = 0; i < files; i++) repo.Write($"{folder}/part-{i:D3}.txt", $"{salt} row {i}\n" + new string('x', i * 37));
    }

    [Fact]
    public async Task AddCommitModifyAddCommit_CheckoutFirstCommit_RestoresByteIdenticalData()
    {
        using var repo = new GitRepo();
        repo.Write("data/flights.csv", "date,delay\n2024-01-01,3\n2024-01-02,20\n");
        WriteFolder(repo, "data/images", 20, "v1");
        await repo.Ok("add", "data/flights.csv", "data/images");
        repo.Commit("data v1");
        var first = repo.Digests("data/flights.csv").Concat(repo.Digests("data/images")).ToDictionary();

        repo.Write("data/flights.csv", "date,delay\n2024-01-01,3\n2024-01-02,20\n2024-01-03,45\n");
        WriteFolder(repo, "data/images", 15, "v2");
        File.Delete(repo.Path("data/images/part-019.txt"));
        repo.Write("data/images/extra/new.txt", "new");
        await repo.Ok("add", "data/flights.csv", "data/images");
        repo.Commit("data v2");

        repo.Git("checkout", "-q", "HEAD~1");
        var output = await repo.Ok("checkout");

        var restored = repo.Digests("data/flights.csv").Concat(repo.Digests("data/images")).ToDictionary();
        Assert.Equal(first.OrderBy(p => p.Key), restored.OrderBy(p => p.Key));
        Assert.Contains("restored", output);
        Assert.Contains("unchanged  data/images", await repo.Ok("status"));

        repo.Git("checkout", "-q", "main");
        await repo.Ok("checkout");
        Assert.Equal("new", File.ReadAllText(repo.Path("data/images/extra/new.txt")));
    }

    [Fact]
    public async Task Add_WritesPointerAndGitignore_AndGitCommitsNoData()
    {
        using var repo = new GitRepo();
        repo.Write("data/flights.csv", "date,delay,origin\n2024-01-01,3,SEA\n2024-01-02,20.5,\"JFK, NY\"\n");
        await repo.Ok("add", "data/flights.csv");
        repo.Commit("track flights");

        var pointer = DataPointer.Read(repo.Path("data/flights.csv.cairn"));
        Assert.Equal("flights.csv", pointer.Name);
        Assert.Equal("blake3:" + repo.Digests("data/flights.csv")["data/flights.csv"], pointer.Digest);
        Assert.Equal(2, pointer.Table!.Rows);
        Assert.Equal([("date", "timestamp"), ("delay", "double"), ("origin", "string")], pointer.Table.Columns.Select(c => (c.Name, c.Type)));
        Assert.Contains("/flights.csv", File.ReadAllLines(repo.Path("data/.gitignore")));
        var committed = repo.Git("ls-files").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("data/flights.csv.cairn", committed);
        Assert.DoesNotContain("data/flights.csv", committed);
        Assert.DoesNotContain(committed, f => f.StartsWith(".cairn/cache", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Commands_GivenThePointerFile_ActOnItsData()
    {
        using var repo = new GitRepo();
        repo.Write("data/a.txt", "a");
        await repo.Ok("add", "data/a.txt");
        File.Delete(repo.Path("data/a.txt"));

        Assert.Contains("missing    data/a.txt", await repo.Ok("status", "data/a.txt.cairn"));
        await repo.Ok("checkout", "data/a.txt.cairn");
        Assert.Equal("a", File.ReadAllText(repo.Path("data/a.txt")));
    }

    [Fact]
    public async Task Status_ModifiedFolder_ListsAddedRemovedAndModifiedFiles()
    {
        using var repo = new GitRepo();
        WriteFolder(repo, "data/parts", 5, "v1");
        await repo.Ok("add", "data/parts");
        repo.Write("data/parts/part-000.txt", "changed");
        File.Delete(repo.Path("data/parts/part-001.txt"));
        repo.Write("data/parts/sub/added.txt", "added");

        var json = JsonDocument.Parse(await repo.Ok("status", "-o", "json"));

        var status = json.RootElement.GetProperty("statuses")[0];
        Assert.Equal("modified", status.GetProperty("state").GetString());
        var changes = status.GetProperty("changes").EnumerateArray().Select(c => (c.GetProperty("path").GetString(), c.GetProperty("change").GetString())).ToList();
        Assert.Equal([("part-000.txt", "modified"), ("part-001.txt", "removed"), ("sub/added.txt", "added")], changes);
    }

    [Fact]
    public async Task Status_ContentChangedWithSameSizeAndMtime_TrustsTheStatCacheWithoutRehashing()
    {
        using var repo = new GitRepo();
        repo.Write("data/a.bin", "aaaa");
        await repo.Ok("add", "data/a.bin");
        var mtime = File.GetLastWriteTimeUtc(repo.Path("data/a.bin"));

        repo.Write("data/a.bin", "bbbb");
        File.SetLastWriteTimeUtc(repo.Path("data/a.bin"), mtime);
        Assert.Contains("unchanged  data/a.bin", await repo.Ok("status")); // not read again: size and mtime match

        File.SetLastWriteTimeUtc(repo.Path("data/a.bin"), mtime.AddSeconds(1));
        Assert.Contains("modified   data/a.bin", await repo.Ok("status"));
    }

    [Fact]
    public async Task Diff_ParquetGainsRowsAndAColumn_ShowsRowCountsAndSchemaChange()
    {
        using var repo = new GitRepo();
        await WriteParquet(repo.Path("data/flights.parquet"), rows: 100, withDistance: false);
        await repo.Ok("add", "data/flights.parquet");
        repo.Commit("v1");
        await WriteParquet(repo.Path("data/flights.parquet"), rows: 150, withDistance: true);
        await repo.Ok("add", "data/flights.parquet");
        repo.Commit("v2");

        var text = await repo.Ok("diff", "HEAD~1", "HEAD");

        Assert.Contains("modified  data/flights.parquet", text);
        Assert.Contains("rows: 100 -> 150 (+50)", text);
        Assert.Contains("column added: distance (double)", text);
        Assert.Contains("No data changes.", await repo.Ok("diff"));
    }

    private static async Task WriteParquet(string path, int rows, bool withDistance)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var fields = new List<DataField> { new DataField<long>("delay") };
        if (withDistance) fields.Add(new DataField<double>("distance"));
        var schema = new ParquetSchema(fields.Cast<Field>().ToArray());
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<long>(fields[0], Enumerable.Range(0, rows).Select(i => (long)i).ToArray());
        if (withDistance) await group.WriteAsync<double>(fields[1], Enumerable.Range(0, rows).Select(i => i * 1.5).ToArray());
    }

    [Fact]
    public async Task Checkout_WorkspaceChangeNotInTheCache_IsRefusedUnlessForced()
    {
        using var repo = new GitRepo();
        repo.Write("data/a.txt", "committed");
        await repo.Ok("add", "data/a.txt");
        repo.Write("data/a.txt", "precious unsaved work");

        var (exit, output, _) = await repo.Cairn("checkout");
        Assert.Equal(1, exit);
        Assert.Contains("would be lost", output);
        Assert.Equal("precious unsaved work", File.ReadAllText(repo.Path("data/a.txt")));

        await repo.Ok("checkout", "--force");
        Assert.Equal("committed", File.ReadAllText(repo.Path("data/a.txt")));
    }

    [Fact]
    public async Task PushPull_FolderRemote_FreshCloneGetsTheSameBytes()
    {
        using var repo = new GitRepo();
        using var remote = new Cairn.Testing.TempFolder();
        WriteFolder(repo, "data/parts", 30, "v1");
        repo.Write("data/model-input.csv", "a,b\n1,2\n");
        await repo.Ok("add", "data/parts", "data/model-input.csv");
        await repo.Ok("remote", "add", "origin", remote.Path);
        repo.Commit("data and remote");

        Assert.Contains("pushed 32 object(s)", await repo.Ok("push"));
        Assert.Contains("pushed 0 object(s)", await repo.Ok("push"));

        using var clone = new GitRepo(cloneFrom: repo.Root);
        Assert.False(File.Exists(clone.Path("data/model-input.csv")));
        await clone.Ok("pull");

        Assert.Equal(repo.Digests("data/parts").OrderBy(p => p.Key), clone.Digests("data/parts").OrderBy(p => p.Key));
        Assert.Equal("a,b\n1,2\n", File.ReadAllText(clone.Path("data/model-input.csv")));
    }

    [Fact]
    public async Task Push_RemoteObjectTruncatedByAnInterruptedUpload_IsSentAgain()
    {
        using var repo = new GitRepo();
        using var remote = new Cairn.Testing.TempFolder();
        repo.Write("data/a.txt", "the whole content");
        await repo.Ok("add", "data/a.txt");
        await repo.Ok("remote", "add", "origin", remote.Path);
        await repo.Ok("push");
        var stored = Path.Combine(remote.Path, "objects", DataPointer.Read(repo.Path("data/a.txt.cairn")).Hex);
        File.Delete(stored);
        File.WriteAllText(stored, "the wh");

        Assert.Contains("pushed 1 object(s)", await repo.Ok("push"));
        Assert.Equal("the whole content", File.ReadAllText(stored));
    }

    [Fact]
    public async Task Pull_CorruptRemoteObject_IsReportedAndNeverEntersTheCache()
    {
        using var repo = new GitRepo();
        using var remote = new Cairn.Testing.TempFolder();
        repo.Write("data/a.txt", "the real bytes");
        await repo.Ok("add", "data/a.txt");
        await repo.Ok("remote", "add", "origin", remote.Path);
        repo.Commit("v1");
        await repo.Ok("push");
        var hex = DataPointer.Read(repo.Path("data/a.txt.cairn")).Hex;
        var stored = Path.Combine(remote.Path, "objects", hex);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(stored, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(stored, "tampered bytes");

        using var clone = new GitRepo(cloneFrom: repo.Root);
        var (exit, output, _) = await clone.Cairn("pull");

        Assert.Equal(1, exit);
        Assert.Contains($"object {hex}", output);
        Assert.Contains("corrupt", output);
        Assert.False(File.Exists(clone.Path($".cairn/cache/{hex[..2]}/{hex[2..]}")));
        Assert.False(File.Exists(clone.Path("data/a.txt")));
    }

    [Fact]
    public async Task Gc_KeepsWhatHeadAndTheWorkspaceReference_AllCommitsKeepsHistory()
    {
        using var repo = new GitRepo();
        repo.Write("data/a.txt", "v1");
        await repo.Ok("add", "data/a.txt");
        repo.Commit("v1");
        repo.Write("data/a.txt", "v2");
        await repo.Ok("add", "data/a.txt");
        repo.Commit("v2");
        repo.Write("data/a.txt", "v3 never committed, then dropped");
        await repo.Ok("add", "data/a.txt");
        repo.Git("checkout", "--", "data/a.txt.cairn");

        Assert.Contains("removed 1 object(s)", await repo.Ok("gc", "--all-commits"));
        Assert.Contains("removed 1 object(s)", await repo.Ok("gc"));
        repo.Git("checkout", "-q", "HEAD~1");
        var (exit, output, _) = await repo.Cairn("checkout", "--force");
        Assert.Equal(1, exit);
        Assert.Contains("not in the cache", output);
    }

    [Fact]
    public async Task Log_ListsEachCommitOfThePointer_WithItsDatasetVersion()
    {
        using var repo = new GitRepo();
        repo.Write("data/a.csv", "x\n1\n");
        await repo.Ok("add", "data/a.csv");
        repo.Commit("first cut");
        await repo.Ok("tag", "data/a.csv", "numbers");
        repo.Write("data/a.csv", "x\n1\n2\n");
        await repo.Ok("add", "data/a.csv");
        repo.Commit("second cut");

        var log = JsonDocument.Parse(await repo.Ok("log", "data/a.csv", "-o", "json")).RootElement.GetProperty("versions");

        Assert.Equal(2, log.GetArrayLength());
        Assert.Equal("second cut", log[0].GetProperty("message").GetString());
        Assert.Equal(2, log[0].GetProperty("rows").GetInt64());
        Assert.Empty(log[0].GetProperty("datasets").EnumerateArray());
        Assert.Equal("data:/numbers@1", log[1].GetProperty("datasets")[0].GetString());
    }

    [Fact]
    public async Task Tag_FromASubfolderWithNoTrackingUri_GoesToTheRepositoryRootsStore()
    {
        if (Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable) is not null) return; // the variable would win, by design
        using var repo = new GitRepo();
        repo.Write("data/a.csv", "x\n1\n");
        await repo.Ok("add", "data/a.csv");

        var stderr = new StringWriter();
        var exit = await Cairn.Cli.CairnCli.RunAsync(["data", "-C", repo.Path("data"), "tag", "a.csv", "letters"], new StringWriter(), stderr);

        Assert.True(exit == 0, stderr.ToString());
        Assert.False(Directory.Exists(repo.Path("data/.cairn")));
        using var stores = new Cairn.Storage.Sqlite.SqliteStores(repo.Path(".cairn/cairn.db"));
        Assert.Equal("data/a.csv", (await stores.Datasets.GetVersionAsync("letters", "1")).Path);
    }

    [Fact]
    public async Task Worktree_AddStatusAndCheckoutWork()
    {
        using var repo = new GitRepo();
        repo.Write("README", "code");
        repo.Commit("init");
        var worktree = repo.Path("../wt");
        repo.Git("worktree", "add", "-q", worktree);
        File.WriteAllText(Path.Combine(worktree, "data.txt"), "in a worktree");

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, await Cairn.Cli.CairnCli.RunAsync(["--tracking-uri", repo.TrackingUri, "data", "-C", worktree, "add", "data.txt"], stdout, stderr));
        Assert.True(File.Exists(Path.Combine(worktree, "data.txt.cairn")));
        File.Delete(Path.Combine(worktree, "data.txt"));
        Assert.Equal(0, await Cairn.Cli.CairnCli.RunAsync(["data", "-C", worktree, "checkout"], stdout, stderr));
        Assert.Equal("in a worktree", File.ReadAllText(Path.Combine(worktree, "data.txt")));
    }
}
