using YamlDotNet.Serialization;

namespace Cairn.Pipelines.CiCd;

/// <summary>An Azure Pipelines file in its single-job form (steps at the top), only the keys cairn writes.</summary>
internal sealed record AzurePipeline(
    [property: YamlMember(Alias = "trigger")] AzureBranchTrigger Trigger,
    [property: YamlMember(Alias = "pr")] AzureBranchTrigger Pr,
    [property: YamlMember(Alias = "schedules")] IReadOnlyList<AzureSchedule>? Schedules,
    [property: YamlMember(Alias = "pool")] AzurePool Pool,
    [property: YamlMember(Alias = "steps")] IReadOnlyList<IAzureStep> Steps);

internal sealed record AzureBranchTrigger([property: YamlMember(Alias = "branches")] AzureIncludeFilter Branches);

internal sealed record AzureIncludeFilter([property: YamlMember(Alias = "include")] IReadOnlyList<string> Include);

/// <summary><see cref="Always"/>: run even when nothing changed since the last scheduled run (new data is reason enough).</summary>
internal sealed record AzureSchedule(
    [property: YamlMember(Alias = "cron")] string Cron,
    [property: YamlMember(Alias = "displayName")] string DisplayName,
    [property: YamlMember(Alias = "branches")] AzureIncludeFilter Branches,
    [property: YamlMember(Alias = "always")] bool Always);

internal sealed record AzurePool([property: YamlMember(Alias = "vmImage")] string VmImage);

internal interface IAzureStep;

internal sealed record AzureCheckoutStep([property: YamlMember(Alias = "checkout")] string Checkout) : IAzureStep;

internal sealed record AzureTaskStep(
    [property: YamlMember(Alias = "task")] string Task,
    [property: YamlMember(Alias = "displayName")] string DisplayName,
    [property: YamlMember(Alias = "inputs")] IReadOnlyDictionary<string, string> Inputs) : IAzureStep;

internal sealed record AzureScriptStep(
    [property: YamlMember(Alias = "script")] string Script,
    [property: YamlMember(Alias = "displayName")] string DisplayName,
    [property: YamlMember(Alias = "condition")] string? Condition = null,
    [property: YamlMember(Alias = "env")] IReadOnlyDictionary<string, string>? Env = null) : IAzureStep;

/// <summary>
/// Builds the Azure Pipelines file. Secret variables are not in a script's environment unless a
/// step maps them, so each cairn step maps them with <c>$(NAME)</c> macros.
/// </summary>
internal static class AzurePipelineBuilder
{
    public static AzurePipeline Build(CiWorkflowSpec spec)
    {
        var env = spec.Secrets.ToDictionary(name => name, name => $"$({name})");
        var steps = new List<IAzureStep>
        {
            new AzureCheckoutStep("self"),
            new AzureTaskStep("UseDotNet@2", "Install the .NET SDK", new Dictionary<string, string> { ["packageType"] = "sdk", ["version"] = CiWorkflowSpec.DotnetSdkVersion }),
            new AzureScriptStep(CairnCommands.Build, "Build"),
            new AzureScriptStep(CairnCommands.Test, "Test"),
            new AzureScriptStep(Script(CairnCommands.InstallTool(spec), $"echo \"##vso[task.prependpath]{CairnCommands.ToolsFolder}\""), "Install cairn"),
            new AzureScriptStep(Script(CairnCommands.RequireSecrets(spec, CiProvider.AzureDevOps)), "Check the Cairn secrets", Env: env),
            new AzureScriptStep(Script(CairnCommands.RunPipeline(spec)), "Run the pipeline", Env: env),
        };
        if (spec.Gates.Count > 0)
            steps.Add(new AzureScriptStep(Script(CairnCommands.CheckGates(spec)), "Check the gates", Env: env));
        if (spec.Promotion is { } promotion)
            steps.Add(new AzureScriptStep(Script(CairnCommands.Promote(promotion, "BUILD_SOURCEVERSION")), $"Promote {promotion.ModelName} to {promotion.Alias}",
                Condition: "and(succeeded(), ne(variables['Build.Reason'], 'PullRequest'))", Env: env));

        var branches = new AzureIncludeFilter([spec.Branch]);
        return new AzurePipeline(
            Trigger: new AzureBranchTrigger(branches),
            Pr: new AzureBranchTrigger(branches),
            Schedules: spec.Schedule is null ? null : [new AzureSchedule(spec.Schedule, "cairn schedule", branches, Always: true)],
            Pool: new AzurePool("ubuntu-latest"),
            Steps: steps);
    }

    private static string Script(params IEnumerable<string> lines) => string.Join('\n', lines);
}
