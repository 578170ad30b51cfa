namespace Cairn.Tracking;

/// <summary>Run tags whose names and meaning MLflow defines, so MLflow's clients and UI read them too.</summary>
public static class MlflowTags
{
    /// <summary>The id of the run that started this one: MLflow shows such a run nested under its parent.</summary>
    public const string ParentRunId = "mlflow.parentRunId";

    /// <summary>The parent run id a run's tags name, or null for a top-level run.</summary>
    public static string? ParentOf(Run run) =>
        run.Data.Tags.FirstOrDefault(t => t.Key == ParentRunId)?.Value is { Length: > 0 } id ? id : null;
}
