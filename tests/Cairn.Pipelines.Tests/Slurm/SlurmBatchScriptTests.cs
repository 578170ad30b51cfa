using Cairn.Pipelines.Slurm;
using Cairn.Testing;

namespace Cairn.Pipelines.Tests.Slurm;

/// <summary>The batch script and sbatch options, without a cluster: hostile names, paths and values stay data.</summary>
public sealed class SlurmBatchScriptTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly string[] Hostile =
    [
        "it's", "$(touch pwned)", "`touch pwned`", "a b\tc", "semi;colon && rm -rf /", "\"double\"", "new\nline", "$HOME", "*", "-n", "", "back\\slash", "%j %x",
    ];

    private static StepJob Job(string name = "train", IReadOnlyList<string>? command = null, string? workingDirectory = null,
        StepResources? resources = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null, params string[] dependsOn) =>
        new(name, command ?? ["echo", "hi"], environment ?? new Dictionary<string, string>(), workingDirectory ?? "/work", null,
            resources ?? StepResources.None, timeout, 0, dependsOn);

    [Fact]
    public async Task TheScript_RunBySh_PassesEveryHostileWordAsOneArgument_AndSetsTheVariables()
    {
        var workspace = Directory.CreateDirectory(_folder.File("it's a $(dir) `x`")).FullName;
        var output = Path.Combine(workspace, "args.txt");
        // printf writes each argument on its own line, between markers, so a split or a lost word shows.
        var job = Job(command: ["sh", "-c", "for a in \"$@\"; do printf '<%s>\\n' \"$a\"; done > args.txt; printf '%s' \"$WEIRD\" > env.txt", "sh", .. Hostile],
            workingDirectory: workspace, environment: new Dictionary<string, string> { ["WEIRD"] = "x' ; touch pwned; '$(id)" });
        var script = Path.Combine(_folder.Path, "job.sh");
        File.WriteAllText(script, SlurmBatchScript.Script("pipe'line", "run1", job));

        var (exit, _, err) = await Bash.RunAsync($"sh {SlurmBatchScript.Quote(script)}", _folder.Path);

        Assert.True(exit == 0, err);
        Assert.Equal(string.Concat(Hostile.Select(h => $"<{h}>\n")), File.ReadAllText(output));
        Assert.Equal("x' ; touch pwned; '$(id)", File.ReadAllText(Path.Combine(workspace, "env.txt")));
        Assert.Empty(Directory.GetFiles(_folder.Path, "pwned", SearchOption.AllDirectories));
    }

    [Fact]
    public void TheScript_RefusesAVariableNameAShellWouldRead_AndNul()
    {
        Assert.Throws<CairnException>(() => SlurmBatchScript.Script("p", "r", Job(environment: new Dictionary<string, string> { ["A;touch x"] = "1" })));
        Assert.Throws<CairnException>(() => SlurmBatchScript.Script("p", "r", Job(environment: new Dictionary<string, string> { ["1A"] = "1" })));
        Assert.Throws<CairnException>(() => SlurmBatchScript.Script("p", "r", Job(command: ["echo", "a\0b"])));
        Assert.Throws<CairnException>(() => SlurmBatchScript.Script("p", "r", Job(command: [])));
    }

    [Fact]
    public void Options_MapResourcesTimeoutAndDependencies()
    {
        var job = Job(resources: new StepResources(Cpus: 1.5, MemoryBytes: 3L * 1024 * 1024 * 1024 + 1), timeout: TimeSpan.FromSeconds(61));
        var args = SlurmBatchScript.Options("chain", job, "/logs/train.log", ["12", "13"], new SlurmOptions { Partition = "gpu", Account = "ml-team" });

        Assert.Equal(
            ["--parsable", "--job-name=cairn-chain-train", "--chdir=/work", "--output=/logs/train.log", "--open-mode=append",
             "--dependency=afterok:12:13", "--kill-on-invalid-dep=yes", "--cpus-per-task=2", "--mem=3073M", "--time=2", "--partition=gpu", "--account=ml-team"],
            args);
        Assert.DoesNotContain(SlurmBatchScript.Options("chain", Job(), "/l.log", [], new SlurmOptions()), a => a.StartsWith("--dependency", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/logs/100%/x.log")]
    [InlineData("/logs/a\\b.log")]
    public void Options_RefuseALogPathSbatchWouldReadAsAPattern(string log) =>
        Assert.Contains("pattern", Assert.Throws<CairnException>(() => SlurmBatchScript.Options("p", Job(), log, [], new SlurmOptions())).Message);

    [Theory]
    [InlineData("gpu --wrap=x")]
    [InlineData("a,b")]
    [InlineData("")]
    public void Options_RefuseAPartitionThatIsNotAName(string partition) =>
        Assert.Throws<CairnException>(() => SlurmBatchScript.Options("p", Job(), "/l.log", [], new SlurmOptions { Partition = partition }));

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void Options_RefuseCpusThatAreNotPositive(double cpus) =>
        Assert.Throws<CairnException>(() => SlurmBatchScript.Options("p", Job(resources: new StepResources(Cpus: cpus)), "/l.log", [], new SlurmOptions()));

    [Fact]
    public void JobNamesAndFileNames_AreCleaned_AndDifferentNamesStayDifferent()
    {
        Assert.Equal("cairn-p-train", SlurmBatchScript.JobName("p", "train"));
        var hostile = SlurmBatchScript.JobName("p ;rm", "a/b\nc");
        Assert.Matches("^[A-Za-z0-9_.-]+$", hostile);
        Assert.NotEqual(hostile, SlurmBatchScript.JobName("p ;rm", "a/b\nd"));
        Assert.True(SlurmBatchScript.JobName(new string('x', 300), "s").Length <= SlurmBatchScript.MaxJobNameLength);

        Assert.Equal("train", SlurmBatchScript.FileStem("train"));
        Assert.Matches("^[A-Za-z0-9_][A-Za-z0-9_-]*$", SlurmBatchScript.FileStem("../../etc/passwd"));
        Assert.Matches("^[A-Za-z0-9_][A-Za-z0-9_-]*$", SlurmBatchScript.FileStem("-rf"));
        Assert.NotEqual(SlurmBatchScript.FileStem("a.b"), SlurmBatchScript.FileStem("a/b"));
    }

    [Fact]
    public async Task TheClient_PassesEachOptionAsOneArgument_AndReadsTheJobId()
    {
        var calls = new List<(string Program, IReadOnlyList<string> Args)>();
        var client = new SlurmClient(runner: (program, args, _) =>
        {
            calls.Add((program, args));
            return Task.FromResult(new SlurmCommandResult(0, "42;cluster\n", ""));
        });
        var id = await client.SubmitAsync(["--chdir=/a b; touch x"], "/logs/it's.sh", CancellationToken.None);

        Assert.Equal("42", id);
        Assert.Equal("sbatch", calls[0].Program);
        Assert.Equal(["--chdir=/a b; touch x", "/logs/it's.sh"], calls[0].Args);
    }

    [Fact]
    public async Task TheClient_ReportsWhatSbatchSaid_WhenItRefuses()
    {
        var client = new SlurmClient(runner: (_, _, _) => Task.FromResult(new SlurmCommandResult(1, "", "sbatch: error: Memory specification can not be satisfied\n")));
        var e = await Assert.ThrowsAsync<CairnException>(() => client.SubmitAsync([], "/x.sh", CancellationToken.None));
        Assert.Contains("Memory specification can not be satisfied", e.Message);
    }
}
