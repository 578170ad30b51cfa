namespace Cairn.Pipelines.CiCd;

/// <summary>Turns a <see cref="CiWorkflowSpec"/> into the provider's YAML file.</summary>
public static class CiWorkflowGenerator
{
    public static string Generate(CiProvider provider, CiWorkflowSpec spec)
    {
        object document = provider switch
        {
            CiProvider.GitHub => GitHubWorkflowBuilder.Build(spec),
            CiProvider.AzureDevOps => AzurePipelineBuilder.Build(spec),
            CiProvider.GitLab => GitLabPipelineBuilder.Build(spec),
            _ => throw new ArgumentOutOfRangeException(nameof(provider)),
        };
        return string.Concat(Header(provider, spec).Select(line => "# " + line + "\n")) + CiYaml.Serialize(document);
    }

    /// <summary>What a reader of the file needs to know that its keys do not say.</summary>
    public static IEnumerable<string> Header(CiProvider provider, CiWorkflowSpec spec)
    {
        yield return "Written by `cairn ci init`: build, test, run the Cairn pipeline" + (spec.Gates.Count > 0 ? ", check its gates" : "") + (spec.Promotion is null ? "." : ", promote the model.");
        yield return $"Secrets, read from the {CiProviders.SecretsLocation(provider)}, never from this file: {string.Join(", ", spec.Secrets)}.";
        if (ScheduleNote(provider, spec) is { } note) yield return note;
    }

    /// <summary>GitLab keeps schedules in the project settings, not in .gitlab-ci.yml: the user has to add it there.</summary>
    public static string? ScheduleNote(CiProvider provider, CiWorkflowSpec spec) =>
        provider == CiProvider.GitLab && spec.Schedule is { } cron
            ? $"Schedule: add a pipeline schedule with cron \"{cron}\" (UTC) on the default branch in Build > Pipeline schedules; this file accepts scheduled pipelines."
            : null;
}
