using System.Text.Json.Nodes;
using Cairn.Pipelines.CiCd;

namespace Cairn.Pipelines.Tests;

/// <summary>What the generated files do: their steps, triggers and secrets, and that their shell lines are real shell.</summary>
public class CiWorkflowGeneratorTests
{
    private static CiWorkflowSpec Spec(string? schedule = null, string[]? gates = null, string? promote = null, string[]? secrets = null) =>
        CiWorkflowSpec.Create("0.1.0", schedule: schedule, gates: gates, promote: promote, secrets: secrets);

    private static JsonNode Json(CiProvider provider, CiWorkflowSpec spec) => CiSchemas.ToJson(provider, CiWorkflowGenerator.Generate(provider, spec));

    private static JsonArray GitHubSteps(JsonNode document) => document["jobs"]!["cairn"]!["steps"]!.AsArray();

    private static JsonNode GitHubStep(JsonNode document, string name) => GitHubSteps(document).Single(s => s!["name"]!.GetValue<string>() == name)!;

    /// <summary>Every shell script the file runs, one per step or job.</summary>
    private static IEnumerable<string> Scripts(CiProvider provider, JsonNode document) => provider switch
    {
        CiProvider.GitHub => GitHubSteps(document).Select(s => s!["run"]?.GetValue<string>()).OfType<string>(),
        CiProvider.AzureDevOps => document["steps"]!.AsArray().Select(s => s!["script"]?.GetValue<string>()).OfType<string>(),
        _ => document.AsObject().Select(p => p.Value).OfType<JsonObject>().Where(job => job["script"] is not null).Select(job =>
            string.Join('\n', (job["before_script"]?.AsArray() ?? []).Concat(job["script"]!.AsArray()).Select(l => l!.GetValue<string>()))),
    };

    [Fact]
    public void GitHub_Steps_BuildTestInstallRunPipelineInOrder()
    {
        var document = Json(CiProvider.GitHub, Spec());

        Assert.Equal(["Check out", "Install the .NET SDK", "Build", "Test", "Install cairn", "Check the Cairn secrets", "Run the pipeline"],
            GitHubSteps(document).Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal("actions/setup-dotnet@v5", GitHubStep(document, "Install the .NET SDK")["uses"]!.GetValue<string>());
        Assert.Equal("10.0.x", GitHubStep(document, "Install the .NET SDK")["with"]!["dotnet-version"]!.GetValue<string>());
        Assert.Contains("cairn pipeline run cairn.pipeline.yaml --output-run-id .cairn-ci/pipeline-run-id", GitHubStep(document, "Run the pipeline")["run"]!.GetValue<string>());
        Assert.Equal(["main"], document["on"]!["push"]!["branches"]!.AsArray().Select(b => b!.GetValue<string>()));
        Assert.Equal(["main"], document["on"]!["pull_request"]!["branches"]!.AsArray().Select(b => b!.GetValue<string>()));
        Assert.Null(document["on"]!["schedule"]);
    }

    [Fact]
    public void GitHub_GatesAndPromotion_AddStepsAndPromoteOutsidePullRequestsOnly()
    {
        var document = Json(CiProvider.GitHub, Spec(schedule: "0 3 * * 1", gates: ["metrics.auc >= 0.8"], promote: "models:/delay"));

        var gates = GitHubStep(document, "Check the gates")["run"]!.GetValue<string>();
        Assert.Contains("read -r run_id < .cairn-ci/pipeline-run-id", gates);
        Assert.Contains("cairn gate --run \"$run_id\" 'metrics.auc >= 0.8'", gates);
        var promote = GitHubStep(document, "Promote delay to champion");
        Assert.Equal("github.event_name != 'pull_request'", promote["if"]!.GetValue<string>());
        Assert.Contains("cairn models promote delay --version \"$version\" --to champion", promote["run"]!.GetValue<string>());
        Assert.Contains("--output-model-version delay=.cairn-ci/model-version", GitHubStep(document, "Run the pipeline")["run"]!.GetValue<string>());
        Assert.Equal("0 3 * * 1", document["on"]!["schedule"]![0]!["cron"]!.GetValue<string>());
    }

    [Fact]
    public void Azure_PromotionIsSkippedOnPullRequestsAndScheduleRunsAlways()
    {
        var document = Json(CiProvider.AzureDevOps, Spec(schedule: "0 3 * * 1", gates: ["metrics.auc >= 0.8"], promote: "models:/delay"));

        var promote = document["steps"]!.AsArray().Single(s => s!["displayName"]?.GetValue<string>() == "Promote delay to champion")!;
        Assert.Equal("and(succeeded(), ne(variables['Build.Reason'], 'PullRequest'))", promote["condition"]!.GetValue<string>());
        Assert.Equal("true", document["schedules"]![0]!["always"]!.GetValue<string>());
        Assert.Equal("main", document["schedules"]![0]!["branches"]!["include"]![0]!.GetValue<string>());
        Assert.Equal("UseDotNet@2", document["steps"]![1]!["task"]!.GetValue<string>());
    }

    [Fact]
    public void GitLab_JobsRunInStagesAndPromotionIsLeftOutOfMergeRequests()
    {
        var document = Json(CiProvider.GitLab, Spec(schedule: "0 3 * * 1", gates: ["metrics.auc >= 0.8"], promote: "models:/delay"));

        Assert.Equal(["test", "pipeline", "promote"], document["stages"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", document["default"]!["image"]!.GetValue<string>());
        Assert.Equal(".cairn-ci/", document["cairn-pipeline"]!["artifacts"]!["paths"]![0]!.GetValue<string>());
        Assert.Equal("$CI_PIPELINE_SOURCE != \"merge_request_event\"", document["cairn-promote"]!["rules"]![0]!["if"]!.GetValue<string>());
        Assert.Contains(document["workflow"]!["rules"]!.AsArray(), r => r!["if"]!.GetValue<string>() == "$CI_PIPELINE_SOURCE == \"schedule\"");
    }

    [Fact]
    public void GitLab_Schedule_IsNotedInTheFileBecauseItLivesInTheProjectSettings()
    {
        var yaml = CiWorkflowGenerator.Generate(CiProvider.GitLab, Spec(schedule: "0 3 * * 1"));

        Assert.Contains("# Schedule: add a pipeline schedule with cron \"0 3 * * 1\"", yaml);
        Assert.DoesNotContain("# Schedule", CiWorkflowGenerator.Generate(CiProvider.GitLab, Spec()));
    }

    [Theory]
    [InlineData(CiProvider.GitHub)]
    [InlineData(CiProvider.AzureDevOps)]
    [InlineData(CiProvider.GitLab)]
    public void Generate_WithoutGatesOrPromotion_HasNoGateOrPromoteCommand(CiProvider provider)
    {
        var yaml = CiWorkflowGenerator.Generate(provider, Spec());

        Assert.DoesNotContain("cairn gate", yaml);
        Assert.DoesNotContain("cairn models promote", yaml);
        Assert.DoesNotContain("--output-model-version", yaml);
        Assert.Contains("--output-run-id", yaml);
    }

    [Theory]
    [InlineData(CiProvider.GitHub, "${{ secrets.AWS_ACCESS_KEY_ID }}")]
    [InlineData(CiProvider.AzureDevOps, "$(AWS_ACCESS_KEY_ID)")]
    public void Secrets_AreReferencesToTheProviderStore(CiProvider provider, string reference)
    {
        var document = Json(provider, Spec(secrets: ["AWS_ACCESS_KEY_ID"], promote: "models:/delay"));
        var steps = provider == CiProvider.GitHub ? GitHubSteps(document) : document["steps"]!.AsArray();

        var withSecrets = steps.Where(s => s!["env"] is not null).ToList();
        Assert.Equal(3, withSecrets.Count); // the check, the pipeline run and the promotion; not build and test
        Assert.All(withSecrets, s => Assert.Equal(reference, s!["env"]!["AWS_ACCESS_KEY_ID"]!.GetValue<string>()));
        Assert.DoesNotContain(steps, s => s!["env"] is not null && (s["run"] ?? s["script"])!.GetValue<string>().StartsWith("dotnet build", StringComparison.Ordinal));
    }

    [Fact]
    public void GitLab_Secrets_AreOnlyCheckedNeverAssigned()
    {
        var yaml = CiWorkflowGenerator.Generate(CiProvider.GitLab, Spec(secrets: ["AWS_ACCESS_KEY_ID"]));
        var setUp = CiSchemas.ToJson(CiProvider.GitLab, yaml)["cairn-pipeline"]!["before_script"]!.AsArray().Select(l => l!.GetValue<string>());

        Assert.DoesNotContain("variables:", yaml);
        Assert.Contains(setUp, line => line.StartsWith("case \"$AWS_ACCESS_KEY_ID\" in '')", StringComparison.Ordinal));
    }

    public static TheoryData<CiProvider> Providers => [CiProvider.GitHub, CiProvider.AzureDevOps, CiProvider.GitLab];

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Scripts_HostileGateAndModelName_AreValidBash(CiProvider provider)
    {
        var document = Json(provider, Spec(gates: ["params.kind == 'it''s' and metrics.auc >= 0.8; rm -rf ~ && echo \"x\" | tee (y)"], promote: "models:/team/delay 'v2' & co"));

        var scripts = Scripts(provider, document).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var (exit, _, err) = await Bash.RunAsync(script, syntaxOnly: true);
            Assert.True(exit == 0, $"bash -n refused:\n{script}\n{err}");
        }
    }

    [Theory]
    [InlineData("metrics.auc >= 0.8")]
    [InlineData("it's; rm -rf ~ && echo \"x\" | tee (y) > z")]
    [InlineData("'''")]
    [InlineData("tab\there * ? [a] ~ # ! {b,c}")]
    [InlineData("")]
    public async Task Quote_AnyText_ReachesTheProgramAsOneUnchangedArgument(string text)
    {
        var (exit, output, _) = await Bash.RunAsync($"printf '%s|' {CiShell.Quote(text)} {CiShell.Quote("second")}");

        Assert.Equal(0, exit);
        Assert.Equal($"{text}|second|", output);
    }
}
