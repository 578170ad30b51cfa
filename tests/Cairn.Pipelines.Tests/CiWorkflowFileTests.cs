using Cairn.Pipelines.CiCd;
using Cairn.Testing;

namespace Cairn.Pipelines.Tests;

/// <summary>The CI file is written inside the repository or not at all, and an existing one is kept unless forced.</summary>
public class CiWorkflowFileTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _repo;

    public CiWorkflowFileTests()
    {
        _repo = _folder.File("repo");
        Directory.CreateDirectory(Path.Combine(_repo, ".git"));
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Write_DefaultGitHubPath_CreatesTheFoldersAndTheFile()
    {
        var written = CiWorkflowFile.Write(_repo, ".github/workflows/cairn.yml", "name: cairn\n", force: false);

        Assert.Equal(Path.Combine(_repo, ".github", "workflows", "cairn.yml"), written);
        Assert.Equal("name: cairn\n", File.ReadAllText(written));
    }

    [Fact]
    public void Write_ExistingFile_IsKeptWithoutForceAndReplacedWithIt()
    {
        var path = Path.Combine(_repo, "azure-pipelines.yml");
        File.WriteAllText(path, "mine");

        var refused = Assert.Throws<CairnException>(() => CiWorkflowFile.Write(_repo, "azure-pipelines.yml", "generated", force: false));
        Assert.Equal(ErrorCodes.ResourceAlreadyExists, refused.ErrorCode);
        Assert.Contains("--force", refused.Message);
        Assert.Equal("mine", File.ReadAllText(path));

        CiWorkflowFile.Write(_repo, "azure-pipelines.yml", "generated", force: true);
        Assert.Equal("generated", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("../repo-sibling/ci.yml")]
    [InlineData(".github/../../x.yml")]
    [InlineData("/tmp/cairn-ci-outside.yml")]
    [InlineData(".")]
    [InlineData("")]
    public void Write_PathOutsideTheRepository_IsRefusedAndNothingIsWritten(string path)
    {
        var before = Directory.GetFileSystemEntries(_folder.Path, "*", SearchOption.AllDirectories).Length;

        var refused = Assert.Throws<CairnException>(() => CiWorkflowFile.Write(_repo, path, "x", force: true));

        Assert.Contains("--out", refused.Message);
        Assert.Equal(before, Directory.GetFileSystemEntries(_folder.Path, "*", SearchOption.AllDirectories).Length);
        Assert.False(File.Exists("/tmp/cairn-ci-outside.yml"));
    }

    [Fact]
    public void Write_AbsolutePathInsideTheRepository_IsAccepted()
    {
        var path = Path.Combine(_repo, "ci", "gitlab.yml");

        Assert.Equal(path, CiWorkflowFile.Write(_repo, path, "x", force: false));
    }

    [Fact]
    public void Write_ThroughAFolderLinkLeavingTheRepository_IsRefused()
    {
        var outside = _folder.File("outside");
        Directory.CreateDirectory(outside);
        Directory.CreateSymbolicLink(Path.Combine(_repo, ".github"), outside);

        var refused = Assert.Throws<CairnException>(() => CiWorkflowFile.Write(_repo, ".github/workflows/cairn.yml", "x", force: true));

        Assert.Contains("symbolic link", refused.Message);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
    }

    [Fact]
    public void Write_OverAFileLink_IsRefusedEvenWithForce()
    {
        var target = _folder.File("elsewhere.txt");
        File.WriteAllText(target, "keep");
        File.CreateSymbolicLink(Path.Combine(_repo, ".gitlab-ci.yml"), target);

        Assert.Throws<CairnException>(() => CiWorkflowFile.Write(_repo, ".gitlab-ci.yml", "x", force: true));
        Assert.Equal("keep", File.ReadAllText(target));
    }

    [Fact]
    public void Write_ThroughAFolderLinkStayingInside_IsAccepted()
    {
        Directory.CreateDirectory(Path.Combine(_repo, "ci"));
        Directory.CreateSymbolicLink(Path.Combine(_repo, ".github"), Path.Combine(_repo, "ci"));

        CiWorkflowFile.Write(_repo, ".github/cairn.yml", "x", force: false);

        Assert.Equal("x", File.ReadAllText(Path.Combine(_repo, "ci", "cairn.yml")));
    }

    [Fact]
    public void FindRepositoryRoot_FromASubfolder_IsTheFolderHoldingGit()
    {
        var sub = Path.Combine(_repo, "src", "app");
        Directory.CreateDirectory(sub);

        Assert.Equal(_repo, CiWorkflowFile.FindRepositoryRoot(sub));
    }
}
