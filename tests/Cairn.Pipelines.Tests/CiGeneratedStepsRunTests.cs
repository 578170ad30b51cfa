using System.Text.Json.Nodes;
using Cairn.Pipelines.CiCd;
using Cairn.Registry;
using Cairn.Testing;

namespace Cairn.Pipelines.Tests;

/// <summary>
/// The generated steps run as a CI runner would run them: their scripts taken from the file, run by
/// bash in the repository folder, with the real cairn on PATH and a real embedded store as the
/// tracking URI. (The pipeline and gate steps wait for `cairn pipeline run` and `cairn gate`.)
/// </summary>
public class CiGeneratedStepsRunTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _repo;
    private readonly string _store;
    private readonly string _tools;

    public CiGeneratedStepsRunTests()
    {
        _repo = _folder.File("repo");
        _store = _folder.File("store");
        _tools = _folder.File("tools");
        Directory.CreateDirectory(_repo);
        Directory.CreateDirectory(_tools);
        // What `dotnet tool install --global Cairn.Cli` puts on PATH: a `cairn` command running this build's CLI.
        var launcher = Path.Combine(_tools, "cairn");
        File.WriteAllText(launcher, $"#!/bin/sh\nexec dotnet {CiShell.Quote(Path.Combine(AppContext.BaseDirectory, "cairn.dll"))} \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => _folder.Dispose();

    private Dictionary<string, string> Environment(string trackingUri, params (string Key, string Value)[] more)
    {
        var environment = new Dictionary<string, string>
        {
            ["CAIRN_TRACKING_URI"] = trackingUri,
            ["PATH"] = _tools + ":" + System.Environment.GetEnvironmentVariable("PATH"),
        };
        foreach (var (key, value) in more) environment[key] = value;
        return environment;
    }

    private static string GitHubRun(JsonNode workflow, string stepName) =>
        workflow["jobs"]!["cairn"]!["steps"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == stepName)!["run"]!.GetValue<string>();

    [Fact]
    public async Task GitHubPromotionStep_RunByBash_MovesTheAliasToTheVersionThePipelineWrote()
    {
        using (var client = CairnClient.Open(_store))
        {
            await client.Registry.CreateRegisteredModelAsync("delay");
            await client.Registry.CreateModelVersionAsync(new NewModelVersion("delay", "mlflow-artifacts:/v1"));
            await client.Registry.CreateModelVersionAsync(new NewModelVersion("delay", "mlflow-artifacts:/v2"));
            await client.Registry.SetAliasAsync("delay", "champion", "1");
        }
        var workflow = CiSchemas.ToJson(CiProvider.GitHub, CiWorkflowGenerator.Generate(CiProvider.GitHub, CiWorkflowSpec.Create("0.1.0", promote: "models:/delay")));
        // What the pipeline run leaves for the promotion step.
        Directory.CreateDirectory(Path.Combine(_repo, CairnCommands.OutputFolder));
        File.WriteAllText(Path.Combine(_repo, CairnCommands.ModelVersionFile), "2\n");

        var check = await Bash.RunAsync(GitHubRun(workflow, "Check the Cairn secrets"), _repo, Environment(_store));
        var promote = await Bash.RunAsync(GitHubRun(workflow, "Promote delay to champion"), _repo, Environment(_store, ("GITHUB_SHA", "0123abcd")));

        Assert.True(check.Exit == 0, check.Err);
        Assert.True(promote.Exit == 0, promote.Out + promote.Err);
        Assert.Contains("Promoted: models:/delay@champion -> version 2 (was 1)", promote.Out);
        using var reopened = CairnClient.Open(_store);
        Assert.Equal("2", (await reopened.Registry.GetModelVersionByAliasAsync("delay", "champion")).Version);
        var trail = await reopened.Registry.ListTransitionsAsync("delay", "2");
        Assert.Contains(trail, t => t.Comment == "promoted by CI from commit 0123abcd");
    }

    [Theory]
    [InlineData(CiProvider.GitHub, "")]
    [InlineData(CiProvider.AzureDevOps, "")]
    [InlineData(CiProvider.AzureDevOps, "$(CAIRN_TRACKING_URI)")]
    public async Task SecretCheck_SecretMissing_FailsTheStepNamingIt(CiProvider provider, string value)
    {
        var spec = CiWorkflowSpec.Create("0.1.0");
        var script = string.Join('\n', CairnCommands.RequireSecrets(spec, provider));

        var missing = await Bash.RunAsync(script, _repo, Environment(value));
        var present = await Bash.RunAsync(script, _repo, Environment(_store));

        Assert.Equal(1, missing.Exit);
        Assert.Contains("error: the CAIRN_TRACKING_URI secret is not set", missing.Err);
        Assert.Equal(0, present.Exit);
    }

    [Fact]
    public async Task GitLabPromotionJob_WithoutTheVersionFile_FailsBeforeTouchingTheRegistry()
    {
        var document = CiSchemas.ToJson(CiProvider.GitLab, CiWorkflowGenerator.Generate(CiProvider.GitLab, CiWorkflowSpec.Create("0.1.0", promote: "models:/delay")));
        var script = string.Join('\n', document["cairn-promote"]!["script"]!.AsArray().Select(l => l!.GetValue<string>()));

        var (exit, output, _) = await Bash.RunAsync(script, _repo, Environment(_store, ("CI_COMMIT_SHA", "0123abcd")));

        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("Promoted", output);
    }
}
