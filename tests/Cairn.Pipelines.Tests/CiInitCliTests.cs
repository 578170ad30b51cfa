using Cairn.Cli;
using Cairn.Pipelines.CiCd;
using Cairn.Testing;

namespace Cairn.Pipelines.Tests;

/// <summary>`cairn ci init` run in process: exit codes, --force, confinement to the repository, no secret values written.</summary>
public class CiInitCliTests : IDisposable
{
    private const string SecretUri = "http://ci-user:Sup3r-s3cret-t0ken@tracking.example:5000";
    private readonly TempFolder _folder = new();
    private readonly string _repo;

    public CiInitCliTests()
    {
        _repo = _folder.File("repo");
        Directory.CreateDirectory(Path.Combine(_repo, ".git"));
    }

    public void Dispose() => _folder.Dispose();

    private async Task<(int Exit, string Out, string Err)> Cairn(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        // A tracking URI with credentials is given as the global option: it must never reach the file or the output.
        var exit = await CairnCli.RunAsync(["--tracking-uri", SecretUri, "ci", "init", "--repo", _repo, .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("--github", ".github/workflows/cairn.yml")]
    [InlineData("--azure-devops", "azure-pipelines.yml")]
    [InlineData("--gitlab", ".gitlab-ci.yml")]
    public async Task Init_EachProvider_WritesItsDefaultFileAndNamesTheSecrets(string flag, string path)
    {
        var (exit, output, error) = await Cairn(flag, "--gate", "metrics.auc >= 0.8", "--promote", "models:/delay", "--secret", "AWS_ACCESS_KEY_ID");

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        Assert.Contains($"Wrote {path}.", output);
        Assert.Contains("CAIRN_TRACKING_URI, AWS_ACCESS_KEY_ID", output);
        var yaml = File.ReadAllText(Path.Combine(_repo, path));
        Assert.Contains("cairn gate --run", yaml);
        Assert.Contains("cairn models promote delay", yaml);
        Assert.DoesNotContain("Sup3r-s3cret-t0ken", yaml);
        Assert.DoesNotContain("tracking.example", yaml);
        Assert.DoesNotContain("Sup3r-s3cret-t0ken", output);
    }

    [Fact]
    public async Task Init_TrackingUriInTheEnvironmentOfAChild_NeverReachesTheFile()
    {
        // Run as its own process so the secret can sit in the real environment, as it would on a developer's machine.
        var cli = Path.Combine(AppContext.BaseDirectory, "cairn.dll");
        var (exit, output, error) = await Bash.RunAsync($"dotnet {CiShell.Quote(cli)} ci init --github --repo {CiShell.Quote(_repo)}",
            environment: new Dictionary<string, string> { ["CAIRN_TRACKING_URI"] = SecretUri });

        Assert.True(exit == 0, error);
        Assert.DoesNotContain("Sup3r-s3cret-t0ken", output + error);
        Assert.DoesNotContain("Sup3r-s3cret-t0ken", File.ReadAllText(Path.Combine(_repo, ".github/workflows/cairn.yml")));
        Assert.Contains("${{ secrets.CAIRN_TRACKING_URI }}", File.ReadAllText(Path.Combine(_repo, ".github/workflows/cairn.yml")));
    }

    [Fact]
    public async Task Init_ExistingFile_Exit2WithoutForceAndOverwrittenWithIt()
    {
        var path = Path.Combine(_repo, ".gitlab-ci.yml");
        File.WriteAllText(path, "# mine\n");

        var refused = await Cairn("--gitlab");
        Assert.Equal(2, refused.Exit);
        Assert.Equal("error: .gitlab-ci.yml already exists; pass --force to overwrite it.", refused.Err.Trim());
        Assert.Equal("# mine\n", File.ReadAllText(path));

        var forced = await Cairn("--gitlab", "--force");
        Assert.Equal(0, forced.Exit);
        Assert.Contains("cairn pipeline run", File.ReadAllText(path));
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("../x.yml")]
    [InlineData("/tmp/cairn-ci-init-outside.yml")]
    public async Task Init_OutOutsideTheRepository_Exit2AndNothingWritten(string path)
    {
        var (exit, output, error) = await Cairn("--github", "--out", path);

        Assert.Equal(2, exit);
        Assert.StartsWith("error: --out", error);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal("", output);
        Assert.Equal([Path.Combine(_repo, ".git")], Directory.GetFileSystemEntries(_folder.Path, "*", SearchOption.AllDirectories).Where(e => e != _repo));
        Assert.False(File.Exists("/tmp/cairn-ci-init-outside.yml"));
    }

    [Fact]
    public async Task Init_Out_WritesWhereItSays()
    {
        var (exit, output, _) = await Cairn("--azure-devops", "--out", "ci/azure.yml", "--pipeline", "pipelines/train.yaml");

        Assert.Equal(0, exit);
        Assert.Contains("Wrote ci/azure.yml.", output);
        Assert.Contains("Note: pipelines/train.yaml does not exist yet", output);
        Assert.Contains("cairn pipeline run pipelines/train.yaml", File.ReadAllText(Path.Combine(_repo, "ci", "azure.yml")));
    }

    [Fact]
    public async Task Init_ExistingPipelineFile_IsNotNoted()
    {
        File.WriteAllText(Path.Combine(_repo, "cairn.pipeline.yaml"), "steps: []\n");

        var (exit, output, _) = await Cairn("--github");

        Assert.Equal(0, exit);
        Assert.DoesNotContain("does not exist", output);
    }

    [Theory]
    [InlineData(new string[0], "Choose one CI service")]
    [InlineData(new[] { "--github", "--gitlab" }, "Choose one CI service")]
    [InlineData(new[] { "--github", "--schedule", "0 3 * *" }, "--schedule")]
    [InlineData(new[] { "--github", "--schedule", "0 3 L * *" }, "--schedule")]
    [InlineData(new[] { "--github", "--gate", "metrics.auc >= ${{ secrets.X }}" }, "--gate")]
    [InlineData(new[] { "--github", "--promote", "models:/delay/3" }, "--promote")]
    [InlineData(new[] { "--github", "--alias", "champion" }, "--promote")]
    [InlineData(new[] { "--github", "--pipeline", "../other/p.yaml" }, "--pipeline")]
    [InlineData(new[] { "--github", "--branch", "main; curl x" }, "--branch")]
    [InlineData(new[] { "--github", "--secret", "lower_case" }, "--secret")]
    public async Task Init_BadOption_Exit2WithOneLineAndNoFile(string[] args, string mentioned)
    {
        var (exit, _, error) = await Cairn(args);

        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.Contains(mentioned, error);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(_repo, ".github")));
    }

    [Fact]
    public async Task Init_GitLabSchedule_TellsWhereToAddIt()
    {
        var (exit, output, _) = await Cairn("--gitlab", "--schedule", "0 3 * * 1");

        Assert.Equal(0, exit);
        Assert.Contains("add a pipeline schedule with cron \"0 3 * * 1\"", output);
        Assert.Contains("$CI_PIPELINE_SOURCE == \"schedule\"", File.ReadAllText(Path.Combine(_repo, ".gitlab-ci.yml")));
    }

    [Fact]
    public async Task Init_GeneratedFile_ValidatesAgainstTheSchema()
    {
        await Cairn("--github", "--schedule", "15 4 * * SUN", "--gate", "metrics.auc >= 0.8", "--promote", "models:/delay", "--alias", "prod");

        var document = CiSchemas.ToJson(CiProvider.GitHub, File.ReadAllText(Path.Combine(_repo, ".github/workflows/cairn.yml")));
        Assert.Empty(CiSchemas.Errors(CiProvider.GitHub, document));
    }
}
