using YamlDotNet.Serialization;

namespace Cairn.Pipelines.CiCd;

/// <summary>A GitHub Actions workflow (.github/workflows/*.yml), only the keys cairn writes.</summary>
internal sealed record GitHubWorkflow(
    [property: YamlMember(Alias = "name")] string Name,
    [property: YamlMember(Alias = "on")] GitHubTriggers On,
    [property: YamlMember(Alias = "permissions")] IReadOnlyDictionary<string, string> Permissions,
    [property: YamlMember(Alias = "jobs")] IReadOnlyDictionary<string, GitHubJob> Jobs);

internal sealed record GitHubTriggers(
    [property: YamlMember(Alias = "push")] GitHubBranchFilter Push,
    [property: YamlMember(Alias = "pull_request")] GitHubBranchFilter PullRequest,
    [property: YamlMember(Alias = "schedule")] IReadOnlyList<GitHubSchedule>? Schedule);

internal sealed record GitHubBranchFilter([property: YamlMember(Alias = "branches")] IReadOnlyList<string> Branches);

internal sealed record GitHubSchedule([property: YamlMember(Alias = "cron")] string Cron);

internal sealed record GitHubJob(
    [property: YamlMember(Alias = "runs-on")] string RunsOn,
    [property: YamlMember(Alias = "steps")] IReadOnlyList<GitHubStep> Steps);

/// <summary>A step either <see cref="Uses"/> an action (with <see cref="With"/>) or runs a shell script (<see cref="Run"/>).</summary>
internal sealed record GitHubStep(
    [property: YamlMember(Alias = "name")] string Name,
    [property: YamlMember(Alias = "if")] string? If = null,
    [property: YamlMember(Alias = "uses")] string? Uses = null,
    [property: YamlMember(Alias = "with")] IReadOnlyDictionary<string, string>? With = null,
    [property: YamlMember(Alias = "env")] IReadOnlyDictionary<string, string>? Env = null,
    [property: YamlMember(Alias = "run")] string? Run = null);

/// <summary>Builds the GitHub Actions workflow: one job on ubuntu-latest; secrets reach only the cairn steps.</summary>
internal static class GitHubWorkflowBuilder
{
    public static GitHubWorkflow Build(CiWorkflowSpec spec)
    {
        // Only the steps that talk to the tracking server see the secrets; build and test do not.
        var env = spec.Secrets.ToDictionary(name => name, name => $"${{{{ secrets.{name} }}}}");
        var steps = new List<GitHubStep>
        {
            new("Check out", Uses: "actions/checkout@v5"),
            new("Install the .NET SDK", Uses: "actions/setup-dotnet@v5", With: new Dictionary<string, string> { ["dotnet-version"] = CiWorkflowSpec.DotnetSdkVersion }),
            new("Build", Run: CairnCommands.Build),
            new("Test", Run: CairnCommands.Test),
            new("Install cairn", Run: Script(CairnCommands.InstallTool(spec), $"echo \"{CairnCommands.ToolsFolder}\" >> \"$GITHUB_PATH\"")),
            new("Check the Cairn secrets", Env: env, Run: Script(CairnCommands.RequireSecrets(spec, CiProvider.GitHub))),
            new("Run the pipeline", Env: env, Run: Script(CairnCommands.RunPipeline(spec))),
        };
        if (spec.Gates.Count > 0)
            steps.Add(new("Check the gates", Env: env, Run: Script(CairnCommands.CheckGates(spec))));
        if (spec.Promotion is { } promotion)
            steps.Add(new($"Promote {promotion.ModelName} to {promotion.Alias}", If: "github.event_name != 'pull_request'", Env: env,
                Run: Script(CairnCommands.Promote(promotion, "GITHUB_SHA"))));

        return new GitHubWorkflow(
            Name: "cairn",
            On: new GitHubTriggers(
                Push: new GitHubBranchFilter([spec.Branch]),
                PullRequest: new GitHubBranchFilter([spec.Branch]),
                Schedule: spec.Schedule is null ? null : [new GitHubSchedule(spec.Schedule)]),
            Permissions: new Dictionary<string, string> { ["contents"] = "read" },
            Jobs: new Dictionary<string, GitHubJob> { ["cairn"] = new GitHubJob("ubuntu-latest", steps) });
    }

    private static string Script(params IEnumerable<string> lines) => string.Join('\n', lines);
}
