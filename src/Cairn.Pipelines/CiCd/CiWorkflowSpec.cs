using Cairn.Registry;

namespace Cairn.Pipelines.CiCd;

/// <summary>Promote the version the pipeline registered of <see cref="ModelName"/> by moving <see cref="Alias"/> to it.</summary>
public sealed record CiPromotion(string ModelName, string Alias);

/// <summary>
/// What a generated CI workflow does, checked once so every provider's builder can trust it. Every
/// text here ends up in a shell line inside a CI file, so the checks keep out what a CI service or
/// a shell would expand: no '$', no backtick, no control characters.
/// </summary>
public sealed record CiWorkflowSpec
{
    public const string DefaultBranch = "main";
    public const string DefaultPipelineFile = "cairn.pipeline.yaml";
    public const string DefaultAlias = "champion";
    public const string TrackingUriSecret = "CAIRN_TRACKING_URI";
    public const string DotnetSdkVersion = "10.0.x";

    /// <summary>Pushes to it and pull requests into it trigger the workflow (GitLab: the project's default branch).</summary>
    public required string Branch { get; init; }
    public required string PipelineFile { get; init; }
    /// <summary>A five-field cron expression in UTC, or null for no schedule.</summary>
    public string? Schedule { get; init; }
    public IReadOnlyList<string> Gates { get; init; } = [];
    public CiPromotion? Promotion { get; init; }
    /// <summary>Names of the secrets passed to the cairn steps; <see cref="TrackingUriSecret"/> first.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [TrackingUriSecret];
    /// <summary>The version of the Cairn.Cli tool the workflow installs.</summary>
    public required string CairnVersion { get; init; }

    /// <summary>Validates the user's options; each bad one is a <see cref="CairnException"/> naming the option.</summary>
    public static CiWorkflowSpec Create(
        string cairnVersion, string? branch = null, string? pipelineFile = null, string? schedule = null,
        IEnumerable<string>? gates = null, string? promote = null, string? alias = null, IEnumerable<string>? secrets = null)
    {
        if (alias is not null && promote is null)
            throw CairnException.InvalidParameter("--alias needs --promote models:/<name>: it names the alias the promotion moves.");
        return new CiWorkflowSpec
        {
            CairnVersion = CiInputs.ToolVersion(cairnVersion),
            Branch = CiInputs.Branch(branch ?? DefaultBranch),
            PipelineFile = CiInputs.RelativeFile(pipelineFile ?? DefaultPipelineFile, "--pipeline"),
            Schedule = schedule is null ? null : CiSchedule.Validate(schedule),
            Gates = (gates ?? []).Select(CiInputs.Gate).ToList(),
            Promotion = promote is null ? null : new CiPromotion(CiInputs.ModelToPromote(promote), RegistryNames.ValidateAlias(alias ?? DefaultAlias)),
            Secrets = [TrackingUriSecret, .. (secrets ?? []).Select(CiInputs.SecretName).Where(s => s != TrackingUriSecret).Distinct()],
        };
    }
}
