using Amazon.Runtime;
using Cairn.Storage.S3;
using Cairn.Testing;

namespace Cairn.Data.Tests;

/// <summary>The cairn CLI as its own process: S3 remotes on a real S3 server, and processes killed midway.</summary>
public sealed class DataProcessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    private static void WriteRandomFiles(GitRepo repo, string folder, int count, int size)
    {
        var random = new Random(42);
        var bytes = new byte[size];
        Directory.CreateDirectory(repo.Path(folder));
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            File.WriteAllBytes(repo.Path($"{folder}/{i:D4}.bin"), bytes);
        }
    }

    private static async Task<(int Exit, string Out, string Err)> RunCairn(GitRepo repo, IDictionary<string, string>? environment, params string[] args)
    {
        using var process = ChildProcess.StartDll("cairn.dll", ["--tracking-uri", repo.TrackingUri, "data", .. args], environment, repo.Root);
        var exit = await process.WaitAsync(Limit);
        return (exit, process.StandardOutput, process.StandardError);
    }

    private static async Task<int> CountAsync(S3ArtifactStore store) => (await store.ListAsync("objects")).Count;

    [Fact]
    public async Task Push_KilledMidway_PushAgainCompletesTheRemote_AndAFreshCloneVerifiesEveryObject()
    {
        var s3 = S3Server.Instance;
        var url = $"s3://{S3Server.Bucket}/{Guid.NewGuid():N}";
        using var remote = S3ArtifactStore.Open(url, s3.Endpoint, new BasicAWSCredentials(S3Server.AccessKey, S3Server.SecretKey));
        using var repo = new GitRepo();
        WriteRandomFiles(repo, "data/shards", 150, 256 * 1024);
        await repo.Ok("add", "data/shards");
        await repo.Ok("remote", "add", "origin", url);
        repo.Commit("shards");

        using (var push = ChildProcess.StartDll("cairn.dll", ["data", "push", "--jobs", "1"], s3.Environment(), repo.Root))
        {
            var deadline = DateTime.UtcNow + Limit;
            while (await CountAsync(remote) < 5 && !push.Process.HasExited && DateTime.UtcNow < deadline) await Task.Delay(20);
            push.Kill();
        }
        var afterKill = await CountAsync(remote);
        Assert.InRange(afterKill, 5, 149); // interrupted midway: some objects there, not all

        var (exit, output, error) = await RunCairn(repo, s3.Environment(), "push");
        Assert.True(exit == 0, error + output);
        // The upload in flight at the kill may have been kept truncated by the server; push sends it again.
        var alreadyThere = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"([0-9,]+) already there").Groups[1].Value.Replace(",", ""));
        Assert.InRange(alreadyThere, afterKill - 1, afterKill);
        Assert.Equal(151, await CountAsync(remote)); // 150 files and the folder's manifest

        foreach (var file in await remote.ListAsync("objects"))
        {
            await using var stream = await remote.OpenReadAsync(file.Path);
            Assert.Equal(file.Path["objects/".Length..], ContentHash.Copy(stream, null, 1 << 20).Hex);
        }

        using var clone = new GitRepo(cloneFrom: repo.Root);
        var pulled = await RunCairn(clone, s3.Environment(), "pull");
        Assert.True(pulled.Exit == 0, pulled.Err + pulled.Out);
        Assert.Equal(repo.Digests("data/shards").OrderBy(p => p.Key), clone.Digests("data/shards").OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Add_KilledMidway_LeavesOnlyVerifiedCacheEntries_AndAddingAgainFinishes()
    {
        using var repo = new GitRepo();
        WriteRandomFiles(repo, "data/big", 400, 1024 * 1024);
        var cache = repo.Path(".cairn/cache");

        using (var add = ChildProcess.StartDll("cairn.dll", ["data", "add", "data/big"], null, repo.Root))
        {
            var deadline = DateTime.UtcNow + Limit;
            while ((!Directory.Exists(cache) || Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).Count() < 20)
                   && !add.Process.HasExited && DateTime.UtcNow < deadline)
                await Task.Delay(5);
            add.Kill();
        }

        var entries = Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).ToList();
        Assert.InRange(entries.Count, 20, 399); // killed midway: some files stored, not all
        foreach (var entry in entries)
            Assert.Equal(Path.GetFileName(Path.GetDirectoryName(entry)) + Path.GetFileName(entry), ContentHash.OfFile(entry).Hex);
        Assert.False(File.Exists(repo.Path("data/big.cairn"))); // nothing acknowledged

        await repo.Ok("add", "data/big");
        Assert.Contains("unchanged  data/big", await repo.Ok("status"));
    }

    [Fact]
    public async Task Push_WrongS3Credentials_SaysToCheckThem()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "a");
        await repo.Ok("add", "a.txt");
        await repo.Ok("remote", "add", "origin", $"s3://{S3Server.Bucket}/wrong-keys");
        var environment = S3Server.Instance.Environment();
        environment["AWS_ACCESS_KEY_ID"] = "nobody";
        environment["AWS_SECRET_ACCESS_KEY"] = "wrong";

        var (exit, _, error) = await RunCairn(repo, environment, "push");

        Assert.Equal(2, exit);
        Assert.Contains("check the AWS credentials", error);
        Assert.DoesNotContain("   at ", error);
    }
}
