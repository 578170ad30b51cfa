using Cairn.Pipelines;
using Cairn.Testing;

namespace Cairn.Pipelines.Tests.Scheduling;

public sealed class PipelineFileRootsTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly PipelineFileRoots _roots;

    public PipelineFileRootsTests()
    {
        Directory.CreateDirectory(_folder.File("ml/.cairn/artifacts"));
        Directory.CreateDirectory(_folder.File("ml-other"));
        _roots = new PipelineFileRoots([_folder.File("ml")], [_folder.File("ml/.cairn/artifacts")]);
    }

    public void Dispose() => _folder.Dispose();

    private string Write(string relative)
    {
        var path = _folder.File(relative);
        File.WriteAllText(path, "name: p\nsteps: []\n");
        return path;
    }

    [Fact]
    public void Check_FileUnderARoot_IsAccepted() =>
        Assert.Equal(_folder.File("ml/cairn.pipeline.yaml"), _roots.Check(Write("ml/cairn.pipeline.yaml")));

    [Theory]
    [InlineData("ml-other/cairn.pipeline.yaml", "outside the folders")]
    [InlineData("ml/.cairn/artifacts/evil.yaml", "clients can write")]
    public void Check_FileOutsideOrInTheArtifactFolder_IsRefused(string relative, string said)
    {
        var e = Assert.Throws<CairnException>(() => _roots.Check(Write(relative)));
        Assert.Contains(said, e.Message);
    }

    [Fact]
    public void Check_TraversalOrLinkIntoTheArtifactFolder_IsRefused()
    {
        var uploaded = Write("ml/.cairn/artifacts/evil.yaml");
        Assert.Throws<CairnException>(() => _roots.Check(_folder.File("ml/x/../.cairn/artifacts/evil.yaml")));
        var link = _folder.File("ml/innocent.yaml");
        File.CreateSymbolicLink(link, uploaded);
        Assert.Contains("clients can write", Assert.Throws<CairnException>(() => _roots.Check(link)).Message);
    }
}
