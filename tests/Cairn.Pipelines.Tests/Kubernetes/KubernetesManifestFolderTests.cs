using Cairn.Pipelines.Kubernetes;
using Cairn.Testing;
using k8s;
using k8s.Models;

namespace Cairn.Pipelines.Tests.Kubernetes;

public sealed class KubernetesManifestFolderTests
{
    private static IReadOnlyList<V1Job> Jobs() =>
        KubernetesJobs.BuildAll(SampleSteps.Pipeline, SampleSteps.RunId, SampleSteps.Diamond(), SampleSteps.Image);

    [Fact]
    public void Write_Run_CreatesTheFolderWithOneFilePerStep()
    {
        using var temp = new TempFolder();
        var folder = temp.File("out/manifests");
        var jobs = Jobs();

        var written = KubernetesManifestFolder.Write(folder, jobs);

        Assert.Equal(jobs.Select(j => Path.Combine(folder, j.Metadata.Name + ".yaml")), written);
        Assert.Equal(written.Order(), Directory.GetFiles(folder).Order());
        foreach (var (job, path) in jobs.Zip(written))
        {
            var back = KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(path), strict: true);
            Assert.Equal(KubernetesJson.Serialize(job), KubernetesJson.Serialize(back));
        }
    }

    [Fact]
    public void Write_Twice_ReplacesTheFiles()
    {
        using var temp = new TempFolder();
        KubernetesManifestFolder.Write(temp.Path, Jobs());
        var changed = Jobs().Select(j => { j.Spec.BackoffLimit = 9; return j; }).ToList();

        var written = KubernetesManifestFolder.Write(temp.Path, changed);

        Assert.All(written, p => Assert.Equal(9, KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(p), strict: true).Spec.BackoffLimit));
        Assert.Equal(4, Directory.GetFiles(temp.Path).Length); // no temporary file left behind
    }

    [Fact]
    public void Write_OutPathIsAFile_IsRefused()
    {
        using var temp = new TempFolder();
        var file = temp.File("manifests");
        File.WriteAllText(file, "keep me");

        var error = Assert.Throws<CairnException>(() => KubernetesManifestFolder.Write(file, Jobs()));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("is a file", error.Message);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public void Write_FolderBelowAFile_IsRefusedWithOneLine()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("file"), "");

        var error = Assert.Throws<CairnException>(() => KubernetesManifestFolder.Write(temp.File("file/manifests"), Jobs()));

        Assert.Contains("Cannot write the manifests", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Write_LinkWhereAManifestGoes_IsReplacedNotFollowed()
    {
        using var temp = new TempFolder();
        var victim = temp.File("victim.txt");
        File.WriteAllText(victim, "untouched");
        var folder = temp.File("manifests");
        Directory.CreateDirectory(folder);
        var jobs = Jobs();
        File.CreateSymbolicLink(Path.Combine(folder, jobs[0].Metadata.Name + ".yaml"), victim);

        KubernetesManifestFolder.Write(folder, jobs);

        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.Null(new FileInfo(Path.Combine(folder, jobs[0].Metadata.Name + ".yaml")).LinkTarget);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("UPPER")]
    [InlineData("")]
    public void Write_JobNamedLikeAPath_IsRefused(string name)
    {
        using var temp = new TempFolder();
        var job = Jobs()[0];
        job.Metadata.Name = name;

        var error = Assert.Throws<CairnException>(() => KubernetesManifestFolder.Write(temp.File("m"), [job]));

        Assert.Contains("is not a DNS label", error.Message);
        Assert.False(File.Exists(temp.File("escape")));
    }
}
