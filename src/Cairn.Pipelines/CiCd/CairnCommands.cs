namespace Cairn.Pipelines.CiCd;

/// <summary>
/// The shell lines every provider runs, in order: build, test, install cairn, run the pipeline,
/// check the gates, promote. Files the pipeline run leaves for later steps go under
/// <see cref="OutputFolder"/> (not .cairn, which is the default local store).
/// </summary>
public static class CairnCommands
{
    public const string ToolPackage = "Cairn.Cli";
    public const string OutputFolder = ".cairn-ci";
    public const string RunIdFile = OutputFolder + "/pipeline-run-id";
    public const string ModelVersionFile = OutputFolder + "/model-version";
    /// <summary>Where <c>dotnet tool install --global</c> puts the cairn command on Linux agents.</summary>
    public const string ToolsFolder = "$HOME/.dotnet/tools";

    public const string Build = "dotnet build --configuration Release";
    public const string Test = "dotnet test --configuration Release --no-build";

    public static string InstallTool(CiWorkflowSpec spec) => $"dotnet tool install --global {ToolPackage} --version {CiShell.Quote(spec.CairnVersion)}";

    /// <summary>Fails the job with a message naming the secret when it is empty or, on Azure DevOps, an unexpanded $(NAME).</summary>
    public static IEnumerable<string> RequireSecrets(CiWorkflowSpec spec, CiProvider provider)
    {
        // Azure DevOps leaves the macro as text when the variable is not defined. [$]\( rather than
        // "$(": Azure DevOps would expand a $( ... ) written in the script itself.
        var unset = provider == CiProvider.AzureDevOps ? "''|[$]\\(*" : "''";
        return spec.Secrets.Select(name =>
            $"case \"${name}\" in {unset}) echo {CiShell.Quote($"error: the {name} secret is not set; add it to the {CiProviders.SecretsLocation(provider)}.")} >&2; exit 1;; esac");
    }

    public static IEnumerable<string> RunPipeline(CiWorkflowSpec spec)
    {
        yield return $"mkdir -p {OutputFolder}";
        var line = $"cairn pipeline run {CiShell.Quote(spec.PipelineFile)} --output-run-id {RunIdFile}";
        if (spec.Promotion is { } promotion)
            line += $" --output-model-version {CiShell.Quote($"{promotion.ModelName}={ModelVersionFile}")}";
        yield return line;
    }

    /// <summary>Each gate judged against the pipeline run just made; the first that fails stops the job.</summary>
    public static IEnumerable<string> CheckGates(CiWorkflowSpec spec)
    {
        yield return $"read -r run_id < {RunIdFile}";
        foreach (var gate in spec.Gates)
            yield return $"cairn gate --run \"$run_id\" {CiShell.Quote(gate)}";
    }

    /// <param name="commitVariable">The provider's environment variable holding the commit, for the audit trail.</param>
    public static IEnumerable<string> Promote(CiPromotion promotion, string commitVariable)
    {
        yield return $"read -r version < {ModelVersionFile}";
        yield return $"cairn models promote {CiShell.Quote(promotion.ModelName)} --version \"$version\" --to {CiShell.Quote(promotion.Alias)} --comment \"promoted by CI from commit ${commitVariable}\"";
    }
}
