using Cairn.Testing;

namespace Cairn.Data.Tests;

/// <summary>run.LogInput("data/x.json"): the pointer beside the data names the version, tagged in the run's store when missing.</summary>
public sealed class PointerInputTests
{
    private static async Task<GitRepo> TrackedQuakes()
    {
        var repo = new GitRepo();
        repo.Write("data/earthquakes.json", "[{\"mag\": 6.1}]\n");
        await repo.Ok("add", "data/earthquakes.json");
        repo.Commit("quakes v1");
        return repo;
    }

    [Fact]
    public async Task LogInput_APointerPath_TagsItInTheEmbeddedStore_ThenLogsIt()
    {
        using var repo = await TrackedQuakes();
        using var store = new TempFolder();
        using var client = CairnClient.Open(store.Path);
        var digest = DataPointer.Read(repo.Path("data/earthquakes.json.cairn")).Digest;
        string runId;
        using (var run = client.StartRun("quakes"))
        {
            var logged = run.LogInput(repo.Path("data/earthquakes.json"));
            Assert.Equal("earthquakes", logged.Name);
            Assert.Equal(1L, logged.Version);
            Assert.Equal(digest, logged.Digest);
            Assert.Equal("data/earthquakes.json", logged.Path);
            Assert.Equal(repo.Git("rev-parse", "HEAD").Trim(), logged.GitCommit);
            // The pointer file itself works too, and finds the version already there.
            Assert.Equal(1L, run.LogInput(repo.Path("data/earthquakes.json.cairn")).Version);
            runId = run.RunId;
        }

        var stored = await client.Tracking.GetRunAsync(runId);
        var input = Assert.Single(stored.Inputs!.DatasetInputs);
        Assert.Equal(digest, input.Dataset.Digest);
        Assert.Equal("data:/earthquakes@1", input.Dataset.Source);
        Assert.Equal("training", input.Context);
        Assert.Single(await client.Datasets.ListVersionsAsync("earthquakes"));
    }

    [Fact]
    public async Task SamePointer_InTwoStores_SameDigest_TheirOwnVersionNumbers()
    {
        using var repo = await TrackedQuakes();
        await using var server = await RunningServer.StartAsync();
        // The server already has two versions of "earthquakes", so this one becomes its third.
        for (var i = 0; i < 2; i++)
            await server.Stores.Datasets.CreateVersionAsync(new NewDatasetVersion("earthquakes", "blake3:" + new string((char)('a' + i), 64), "file", 1, 1,
                "data/earthquakes.json", null, null, null, "someone"));
        using var store = new TempFolder();
        using var embedded = CairnClient.Open(store.Path);
        using var remote = server.Client();

        DatasetVersion local, onServer;
        using (var run = embedded.StartRun("quakes")) local = run.LogInput(repo.Path("data/earthquakes.json"));
        using (var run = remote.StartRun("quakes")) onServer = await run.LogInputAsync(repo.Path("data/earthquakes.json"));

        Assert.Equal(local.Digest, onServer.Digest);
        Assert.Equal(1L, local.Version);
        Assert.Equal(3L, onServer.Version);
        Assert.Equal(onServer.Digest, (await server.Stores.Datasets.GetVersionAsync("earthquakes", "3")).Digest);
    }

    [Fact]
    public async Task LogInput_DataUris_StillWork()
    {
        using var repo = await TrackedQuakes();
        using var store = new TempFolder();
        using var client = CairnClient.Open(store.Path);
        using var run = client.StartRun("quakes");
        var tagged = run.LogInput(repo.Path("data/earthquakes.json"));

        Assert.Equal(tagged.Digest, run.LogInput("data:/earthquakes@1").Digest);
        Assert.Equal(tagged.Digest, run.LogInput("data:/earthquakes").Digest);
    }

    [Fact]
    public async Task LogInput_HostilePaths_AreClearErrors_AndLogNothing()
    {
        using var repo = await TrackedQuakes();
        repo.Write("data/broken.csv", "a\n");
        repo.Write("data/broken.csv.cairn", "path: [unclosed\n");
        repo.Write("data/liar.csv", "a\n");
        repo.Write("data/liar.csv.cairn", "path: ../../etc/passwd\nkind: file\ndigest: blake3:" + new string('0', 64) + "\n");
        using var outside = new TempFolder(); // no git repository here
        File.WriteAllText(outside.File("loose.csv"), "a\n");
        File.Copy(repo.Path("data/earthquakes.json.cairn"), outside.File("loose.csv.cairn"));
        using var store = new TempFolder();
        using var client = CairnClient.Open(store.Path);
        using var run = client.StartRun("quakes");

        var missing = Assert.Throws<CairnException>(() => run.LogInput(repo.Path("data/nothing.csv")));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, missing.ErrorCode);
        Assert.Contains("cairn data add", missing.Message);
        Assert.Contains("not a valid cairn pointer", Assert.Throws<CairnException>(() => run.LogInput(repo.Path("data/broken.csv"))).Message);
        Assert.Contains("etc/passwd", Assert.ThrowsAny<CairnException>(() => run.LogInput(repo.Path("data/liar.csv"))).Message);
        Assert.Contains("not inside a git repository", Assert.Throws<CairnException>(() => run.LogInput(outside.File("loose.csv"))).Message);
        File.Copy(repo.Path("data/earthquakes.json.cairn"), repo.Path(".git/quakes.cairn"));
        Assert.Contains("inside .git/", Assert.Throws<CairnException>(() => run.LogInput(repo.Path(".git/quakes.cairn"))).Message);
        Directory.CreateSymbolicLink(repo.Path("data/elsewhere"), outside.Path);
        Assert.ThrowsAny<CairnException>(() => run.LogInput(repo.Path("data/elsewhere/loose.csv")));
        Assert.Empty(await client.Datasets.ListDatasetsAsync());
        Assert.Empty((await client.Tracking.GetRunAsync(run.RunId)).Inputs?.DatasetInputs ?? []);
    }

    [Fact]
    public async Task LogInput_DataChangedSinceItWasAdded_IsRefused()
    {
        using var repo = await TrackedQuakes();
        repo.Write("data/earthquakes.json", "[{\"mag\": 7.0}]\n");
        using var store = new TempFolder();
        using var client = CairnClient.Open(store.Path);
        using var run = client.StartRun("quakes");

        var error = Assert.Throws<CairnException>(() => run.LogInput(repo.Path("data/earthquakes.json")));

        Assert.Contains("changed since it was added", error.Message);
    }

    [Theory]
    [InlineData("data/earthquakes.json", "earthquakes")]
    [InlineData("images", "images")]
    [InlineData("data/my flights (v2).csv", "my_flights__v2_")]
    [InlineData("data/.env", "env")]
    public void NameOf_IsTheFileNameWithoutItsExtension_InAllowedCharacters(string path, string expected) =>
        Assert.Equal(expected, PointerDatasets.NameOf(path));
}
