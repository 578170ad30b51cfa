namespace Cairn.Pipelines.CiCd;

/// <summary>The CI services <c>cairn ci init</c> writes a workflow for.</summary>
public enum CiProvider
{
    GitHub,
    AzureDevOps,
    GitLab,
}

/// <summary>What differs between providers beyond the document itself: where the file goes, where secrets are set.</summary>
public static class CiProviders
{
    /// <summary>The path, relative to the repository root, where the provider looks for its configuration.</summary>
    public static string DefaultPath(CiProvider provider) => provider switch
    {
        CiProvider.GitHub => ".github/workflows/cairn.yml",
        CiProvider.AzureDevOps => "azure-pipelines.yml",
        CiProvider.GitLab => ".gitlab-ci.yml",
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    /// <summary>Where the user stores the secrets the workflow reads (it never holds their values).</summary>
    public static string SecretsLocation(CiProvider provider) => provider switch
    {
        CiProvider.GitHub => "repository secrets (Settings > Secrets and variables > Actions)",
        CiProvider.AzureDevOps => "secret pipeline variables (the pipeline's Edit > Variables, with 'Keep this value secret')",
        CiProvider.GitLab => "masked CI/CD variables (Settings > CI/CD > Variables)",
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
