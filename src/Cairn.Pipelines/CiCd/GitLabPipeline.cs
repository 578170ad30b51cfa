using YamlDotNet.Serialization;

namespace Cairn.Pipelines.CiCd;

/// <summary>The global keys of a .gitlab-ci.yml that cairn writes; jobs sit beside them at the top level.</summary>
internal sealed record GitLabWorkflow([property: YamlMember(Alias = "rules")] IReadOnlyList<GitLabRule> Rules);

internal sealed record GitLabRule([property: YamlMember(Alias = "if")] string If);

internal sealed record GitLabDefault([property: YamlMember(Alias = "image")] string Image);

internal sealed record GitLabArtifacts([property: YamlMember(Alias = "paths")] IReadOnlyList<string> Paths);

internal sealed record GitLabJob(
    [property: YamlMember(Alias = "stage")] string Stage,
    [property: YamlMember(Alias = "before_script")] IReadOnlyList<string>? BeforeScript,
    [property: YamlMember(Alias = "script")] IReadOnlyList<string> Script,
    [property: YamlMember(Alias = "rules")] IReadOnlyList<GitLabRule>? Rules = null,
    [property: YamlMember(Alias = "artifacts")] GitLabArtifacts? Artifacts = null);

/// <summary>
/// Builds the .gitlab-ci.yml: a build-and-test job, a job that runs the pipeline and its gates, and
/// (with a promotion) a promotion job that is left out of merge request pipelines. CI/CD variables
/// are already in every job's environment, so the file only checks that they are set.
/// </summary>
internal static class GitLabPipelineBuilder
{
    public const string Image = "mcr.microsoft.com/dotnet/sdk:10.0";

    public static IReadOnlyDictionary<string, object> Build(CiWorkflowSpec spec)
    {
        List<string> setUp = [.. CairnCommands.RequireSecrets(spec, CiProvider.GitLab), CairnCommands.InstallTool(spec), $"export PATH=\"$PATH:{CairnCommands.ToolsFolder}\""];
        var rules = new List<GitLabRule>
        {
            new("$CI_PIPELINE_SOURCE == \"merge_request_event\" && $CI_MERGE_REQUEST_TARGET_BRANCH_NAME == $CI_DEFAULT_BRANCH"),
            new("$CI_PIPELINE_SOURCE == \"push\" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"),
        };
        // The cron itself lives in the project's pipeline schedules: .gitlab-ci.yml has no key for it.
        if (spec.Schedule is not null) rules.Add(new("$CI_PIPELINE_SOURCE == \"schedule\""));

        List<string> stages = spec.Promotion is null ? ["test", "pipeline"] : ["test", "pipeline", "promote"];
        // OrderedDictionary: the file reads top-down in the order the jobs run.
        var document = new OrderedDictionary<string, object>
        {
            ["workflow"] = new GitLabWorkflow(rules),
            ["stages"] = stages,
            ["default"] = new GitLabDefault(Image),
            ["build-and-test"] = new GitLabJob("test", BeforeScript: null, Script: [CairnCommands.Build, CairnCommands.Test]),
            ["cairn-pipeline"] = new GitLabJob("pipeline", BeforeScript: setUp,
                Script: [.. CairnCommands.RunPipeline(spec), .. spec.Gates.Count > 0 ? CairnCommands.CheckGates(spec) : []], Artifacts: spec.Promotion is null ? null : new GitLabArtifacts([CairnCommands.OutputFolder + "/"])),
        };
        if (spec.Promotion is { } promotion)
            document["cairn-promote"] = new GitLabJob("promote", BeforeScript: setUp, Script: [.. CairnCommands.Promote(promotion, "CI_COMMIT_SHA")],
                Rules: [new("$CI_PIPELINE_SOURCE != \"merge_request_event\"")]);
        return document;
    }
}
