using Cairn.Testing;

namespace Cairn.Data.Tests;

/// <summary>
/// A repository is input from outside: its pointers, folder manifests and symbolic links may be
/// crafted to write outside the workspace. Every such case is refused before anything is written.
/// </summary>
public sealed class HostileDataTests
{
    /// <summary>An attacker's repository whose folder pointer names a crafted manifest, pushed to a folder remote.</summary>
    private sealed class HostileRepo : IDisposable
    {
        public GitRepo Attacker { get; } = new();
        public TempFolder Remote { get; } = new();
        public string ManifestHex { get; private set; } = "";

        public static async Task<HostileRepo> WithManifestAsync(params string[] entryPaths)
        {
            var hostile = new HostileRepo();
            var repo = hostile.Attacker;
            repo.Write("data/parts/payload.txt", "ssh-ed25519 AAAA attacker");
            await repo.Ok("add", "data/parts");
            await repo.Ok("remote", "add", "origin", hostile.Remote.Path);
            await repo.Ok("push");
            // cairn refuses to push a crafted manifest, so the attacker places it by hand.
            var payload = ContentHash.OfFile(repo.Path("data/parts/payload.txt"));
            hostile.ManifestHex = StoreManifest(repo, entryPaths.Select(p => new ManifestEntry(p, payload.Hex, payload.Size)).ToArray());
            File.Copy(repo.Path($".cairn/cache/{hostile.ManifestHex[..2]}/{hostile.ManifestHex[2..]}"), Path.Combine(hostile.Remote.Path, "objects", hostile.ManifestHex));
            PointFolderAt(repo, "data/parts", hostile.ManifestHex);
            repo.Commit("data");
            return hostile;
        }

        public void Dispose()
        {
            Attacker.Dispose();
            Remote.Dispose();
        }
    }

    private static string StoreManifest(GitRepo repo, ManifestEntry[] entries) =>
        new DataCache(repo.Path(".cairn/cache"), repo.Path(".cairn/tmp")).AddBytes(DirectoryManifest.Serialize(entries));

    private static void PointFolderAt(GitRepo repo, string relative, string manifestHex)
    {
        var pointer = DataPointer.Read(repo.Path(relative + ".cairn"));
        File.WriteAllText(repo.Path(relative + ".cairn"), (pointer with { Digest = "blake3:" + manifestHex }).ToYaml());
    }

    private static void AssertRefused(int exit, string output, params string[] expected)
    {
        Assert.NotEqual(0, exit);
        foreach (var text in expected) Assert.Contains(text, output);
        Assert.DoesNotContain("   at ", output);
    }

    [Theory]
    [InlineData("../../../escaped.txt", "'..'")]
    [InlineData("sub/../../../../escaped.txt", "'..'")]
    [InlineData("{outside}/escaped.txt", "absolute")]
    [InlineData("C:/escaped.txt", "drive")]
    [InlineData("sub\\..\\..\\..\\escaped.txt", "backslash")]
    [InlineData("sub\0/escaped.txt", "NUL")]
    [InlineData("./escaped.txt", "'.'")]
    [InlineData("sub//escaped.txt", "empty")]
    public async Task Pull_ManifestEntryLeavingTheFolder_IsRefusedAndNothingIsWritten(string entry, string reason)
    {
        using var victimHome = new TempFolder();
        var outside = victimHome.File("escaped.txt");
        using var hostile = await HostileRepo.WithManifestAsync(entry.Replace("{outside}", victimHome.Path));
        using var clone = new GitRepo(cloneFrom: hostile.Attacker.Root);
        var besideClone = Path.GetFullPath(Path.Combine(clone.Root, "..", "escaped.txt"));
        File.WriteAllText(besideClone, "precious");

        var (exit, output, error) = await clone.Cairn("pull");

        AssertRefused(exit, output + error, hostile.ManifestHex, "data/parts", "unsafe path", reason);
        Assert.Equal("precious", File.ReadAllText(besideClone));
        Assert.False(File.Exists(outside));
        Assert.False(Directory.Exists(clone.Path("data/parts")), "nothing is written, not even inside the folder");
    }

    [Fact]
    public async Task Pull_ManifestListingAPathAsFileAndFolder_IsRefused()
    {
        using var hostile = await HostileRepo.WithManifestAsync("a", "a/b");
        using var clone = new GitRepo(cloneFrom: hostile.Attacker.Root);

        var (exit, output, error) = await clone.Cairn("pull");

        AssertRefused(exit, output + error, "'a'", "both a file and a folder");
    }

    [Fact]
    public async Task Pull_SymlinkInsideTheFolderPointingOutside_IsRefusedAndNothingIsWrittenThroughIt()
    {
        using var victimHome = new TempFolder();
        using var hostile = await HostileRepo.WithManifestAsync("sub/authorized_keys");
        var attacker = hostile.Attacker;
        Directory.CreateDirectory(attacker.Path("data/parts"));
        File.CreateSymbolicLink(attacker.Path("data/parts/sub"), victimHome.Path);
        attacker.Git("add", "-f", "data/parts/sub");
        attacker.Commit("a link on the way out");
        using var clone = new GitRepo(cloneFrom: attacker.Root);
        Assert.NotNull(new FileInfo(clone.Path("data/parts/sub")).LinkTarget);

        var (exit, output, error) = await clone.Cairn("pull");

        AssertRefused(exit, output + error, "data/parts/sub", "outside");
        Assert.Empty(Directory.EnumerateFileSystemEntries(victimHome.Path));
    }

    [Fact]
    public async Task Pull_TrackedFolderThatIsASymlinkOutside_IsRefused()
    {
        using var victimHome = new TempFolder();
        File.WriteAllText(victimHome.File("authorized_keys"), "the victim's own key");
        using var hostile = await HostileRepo.WithManifestAsync("authorized_keys", "new-file");
        var attacker = hostile.Attacker;
        Directory.Delete(attacker.Path("data/parts"), recursive: true);
        File.CreateSymbolicLink(attacker.Path("data/parts"), victimHome.Path);
        attacker.Git("add", "-f", "data/parts");
        attacker.Commit("the folder is a link");
        using var clone = new GitRepo(cloneFrom: attacker.Root);

        var (exit, output, error) = await clone.Cairn("pull", "--force");

        AssertRefused(exit, output + error, "data/parts", "outside");
        Assert.Equal("the victim's own key", File.ReadAllText(victimHome.File("authorized_keys")));
        Assert.False(File.Exists(victimHome.File("new-file")));
    }

    [Theory]
    [InlineData("checkout")]
    [InlineData("status")]
    [InlineData("diff")]
    [InlineData("gc")]
    [InlineData("push")]
    public async Task Command_HostileManifestInTheCache_IsRefusedNamingTheEntry(string command)
    {
        using var repo = new GitRepo();
        using var remote = new TempFolder();
        repo.Write("data/parts/a.txt", "a");
        await repo.Ok("add", "data/parts");
        await repo.Ok("remote", "add", "origin", remote.Path);
        repo.Commit("good data");
        var a = ContentHash.OfFile(repo.Path("data/parts/a.txt"));
        var hex = StoreManifest(repo, [new ManifestEntry("../../../escaped.txt", a.Hex, a.Size)]);
        PointFolderAt(repo, "data/parts", hex);

        var (exit, output, error) = await repo.Cairn(command);

        AssertRefused(exit, output + error, hex, "'../../../escaped.txt'", "unsafe path");
        Assert.False(File.Exists(Path.Combine(repo.Root, "..", "escaped.txt")));
    }

    [Fact]
    public async Task Checkout_PointerEditedToNameAPathOutside_IsRefused()
    {
        using var repo = new GitRepo();
        repo.Write("data/a.txt", "a");
        await repo.Ok("add", "data/a.txt");
        var pointer = DataPointer.Read(repo.Path("data/a.txt.cairn"));
        File.WriteAllText(repo.Path("data/a.txt.cairn"), (pointer with { Name = "../../escaped.txt" }).ToYaml());

        var (exit, output, error) = await repo.Cairn("checkout");

        AssertRefused(exit, output + error, "data/a.txt.cairn", "'../../escaped.txt'");
    }

    [Fact]
    public async Task Checkout_DamagedCacheObject_IsNotCheckedOut_AndPullFetchesAGoodCopy()
    {
        using var repo = new GitRepo();
        using var remote = new TempFolder();
        repo.Write("data/a.txt", "the real bytes");
        await repo.Ok("add", "data/a.txt");
        await repo.Ok("remote", "add", "origin", remote.Path);
        await repo.Ok("push");
        var hex = DataPointer.Read(repo.Path("data/a.txt.cairn")).Hex;
        Damage(repo, hex);
        File.Delete(repo.Path("data/a.txt"));

        var (exit, output, error) = await repo.Cairn("checkout");

        AssertRefused(exit, output + error, hex, "damaged");
        Assert.False(File.Exists(repo.Path("data/a.txt")));
        Assert.Contains("missing", await repo.Cairn("status").ContinueWith(t => t.Result.Out));
        await repo.Ok("pull");
        Assert.Equal("the real bytes", File.ReadAllText(repo.Path("data/a.txt")));
        Assert.Contains("unchanged", await repo.Ok("status"));
    }

    [Fact]
    public async Task Push_DamagedCacheObject_IsNotUploaded()
    {
        using var repo = new GitRepo();
        using var remote = new TempFolder();
        repo.Write("data/a.txt", "the real bytes");
        await repo.Ok("add", "data/a.txt");
        await repo.Ok("remote", "add", "origin", remote.Path);
        var hex = DataPointer.Read(repo.Path("data/a.txt.cairn")).Hex;
        Damage(repo, hex);

        var (exit, output, error) = await repo.Cairn("push");

        AssertRefused(exit, output + error, hex, "damaged");
        Assert.False(File.Exists(Path.Combine(remote.Path, "objects", hex)));
    }

    [Theory]
    [InlineData("add", "data/b.txt")]
    [InlineData("gc")]
    public async Task AddAndGc_StaleTempFilesOfAKilledCommand_AreRemoved_FreshOnesKept(params string[] command)
    {
        using var repo = new GitRepo();
        repo.Write("data/a.txt", "a");
        repo.Write("data/b.txt", "b");
        await repo.Ok("add", "data/a.txt");
        var stale = repo.Path($".cairn/tmp/{Guid.NewGuid():N}");
        var fresh = repo.Path($".cairn/tmp/{Guid.NewGuid():N}");
        File.WriteAllText(stale, "half an object");
        File.WriteAllText(fresh, "an object being written now");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));

        await repo.Ok(command);

        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(repo.Path(".cairn/tmp/stat-cache")), "the stat cache is not a temp file");
    }

    /// <summary>Flips the cache object's bytes in place (same length), as a bad disk or a stray write would.</summary>
    private static void Damage(GitRepo repo, string hex)
    {
        var path = repo.Path($".cairn/cache/{hex[..2]}/{hex[2..]}");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var bytes = File.ReadAllBytes(path);
        bytes[0] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
    }
}
