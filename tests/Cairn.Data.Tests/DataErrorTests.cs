using Cairn.Cli;
using Cairn.Testing;

namespace Cairn.Data.Tests;

/// <summary>Bad input gets a message that says what is wrong and how to fix it, and a non-zero exit; never a stack trace.</summary>
public sealed class DataErrorTests
{
    private static void AssertClean(int exit, string error, string expected)
    {
        Assert.NotEqual(0, exit);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("unexpected failure", error);
    }

    [Fact]
    public async Task AnyCommand_OutsideAGitRepository_SaysToRunGitInit()
    {
        using var folder = new TempFolder();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["data", "-C", folder.Path, "status"], new StringWriter(), stderr);
        AssertClean(exit, stderr.ToString(), "git init");
    }

    [Fact]
    public async Task Push_WithNoRemote_SaysHowToAddOne()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "a");
        await repo.Ok("add", "a.txt");
        var (exit, _, error) = await repo.Cairn("push");
        AssertClean(exit, error, "cairn data remote add origin");
    }

    [Fact]
    public async Task Pull_FromAnUnknownRemoteName_NamesTheConfiguredOnes()
    {
        using var repo = new GitRepo();
        using var remote = new TempFolder();
        await repo.Ok("remote", "add", "origin", remote.Path);
        var (exit, _, error) = await repo.Cairn("pull", "--remote", "backup");
        AssertClean(exit, error, "no data remote named 'backup' (configured: origin)");
    }

    [Theory]
    [InlineData("ftp://host/x", "Unsupported data remote")]
    [InlineData("s3://", "names no bucket")]
    public async Task RemoteAdd_BadUrl_IsRefused(string url, string expected)
    {
        using var repo = new GitRepo();
        var (exit, _, error) = await repo.Cairn("remote", "add", "origin", url);
        AssertClean(exit, error, expected);
    }

    [Fact]
    public async Task Add_MissingPath_SaysSo()
    {
        using var repo = new GitRepo();
        var (exit, _, error) = await repo.Cairn("add", "nope.csv");
        AssertClean(exit, error, "no such file or folder");
    }

    [Fact]
    public async Task Add_PathOutsideTheRepository_IsRefused()
    {
        using var repo = new GitRepo();
        var (exit, _, error) = await repo.Cairn("add", "/etc/hostname");
        AssertClean(exit, error, "is not inside the repository");
    }

    [Fact]
    public async Task Add_FileInsideATrackedFolder_PointsAtTheFolder()
    {
        using var repo = new GitRepo();
        repo.Write("data/parts/a.txt", "a");
        await repo.Ok("add", "data/parts");
        var (exit, _, error) = await repo.Cairn("add", "data/parts/a.txt");
        AssertClean(exit, error, "is inside 'data/parts', which cairn data already tracks");
    }

    [Fact]
    public async Task Add_FileGitAlreadyTracks_SaysHowToHandOver()
    {
        using var repo = new GitRepo();
        repo.Write("data.csv", "a\n1\n");
        repo.Commit("in git");
        var (exit, _, error) = await repo.Cairn("add", "data.csv");
        AssertClean(exit, error, "git rm -r --cached data.csv");
    }

    [Fact]
    public async Task Status_DamagedPointerFile_NamesTheFile()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt.cairn", "path: [unclosed");
        var (exit, _, error) = await repo.Cairn("status");
        AssertClean(exit, error, "a.txt.cairn is not a valid cairn pointer file");
    }

    [Fact]
    public async Task Tag_ModifiedSinceAdd_AsksToAddFirst()
    {
        using var repo = new GitRepo();
        repo.Write("a.txt", "a");
        await repo.Ok("add", "a.txt");
        repo.Write("a.txt", "changed");
        var (exit, _, error) = await repo.Cairn("tag", "a.txt", "letters");
        AssertClean(exit, error, "changed since it was added");
    }

    [Fact]
    public async Task Diff_UnknownRevision_SaysItIsNotACommit()
    {
        using var repo = new GitRepo();
        repo.Write("README", "x");
        repo.Commit("init");
        var (exit, _, error) = await repo.Cairn("diff", "no-such-branch");
        AssertClean(exit, error, "'no-such-branch' is not a commit");
    }
}
