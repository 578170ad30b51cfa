namespace Cairn.Registry;

/// <summary>
/// MLflow's (deprecated) model version stages. Each version has one; a new version starts in
/// "None". Aliases are the way forward, but MLflow's clients still move versions between stages.
/// </summary>
public static class ModelStages
{
    public const string None = "None";
    public const string Staging = "Staging";
    public const string Production = "Production";
    public const string Archived = "Archived";

    public static IReadOnlyList<string> All { get; } = [None, Staging, Production, Archived];

    /// <summary>The stages <c>archive_existing_versions</c> may archive others out of.</summary>
    public static IReadOnlyList<string> Active { get; } = [Staging, Production];

    /// <summary>The stage's canonical spelling, whatever its case; MLflow's error for any other text.</summary>
    public static string Canonical(string? stage) =>
        All.FirstOrDefault(s => string.Equals(s, stage, StringComparison.OrdinalIgnoreCase))
        ?? throw CairnException.InvalidParameter($"Invalid Model Version stage: {stage}. Value must be one of {string.Join(", ", All)}.");

    public static bool IsActive(string canonicalStage) => Active.Contains(canonicalStage);

    /// <summary>MLflow's refusal of <c>archive_existing_versions</c> for a stage that is not Staging or Production.</summary>
    public static CairnException CannotArchiveFrom(string stage) =>
        CairnException.InvalidParameter(
            $"Model version transition cannot archive existing model versions because '{stage}' is not an Active stage. Valid stages are ['{string.Join("', '", Active)}']");
}
