namespace Cairn.Models;

/// <summary>What <see cref="MlnetAutolog.TrainAndLog{TModel}"/> records besides the trainer's params.</summary>
public sealed record AutologOptions
{
    /// <summary>Where the model package goes among the run's artifacts.</summary>
    public string ArtifactPath { get; init; } = "model";

    /// <summary>Whether to log the model package (signature, input example, model zip).</summary>
    public bool LogModel { get; init; } = true;

    /// <summary>Registers the logged package as the next version of this model, in the same call (null: not registered).</summary>
    public string? RegisteredModelName { get; init; }

    /// <summary>Rows of the training data kept as the package's input example (0: none).</summary>
    public int InputExampleRows { get; init; } = 3;

    /// <summary>Whether to log the per-iteration curve of boosted trees (train and validation metric by number of trees).</summary>
    public bool LogCurve { get; init; } = true;

    /// <summary>Curve points when <see cref="CurveEvery"/> is null (each costs a loss per row).</summary>
    public const int DefaultCurvePoints = 25;

    /// <summary>A curve point every this many trees (the last tree always has one); null: about <see cref="DefaultCurvePoints"/> points in all.</summary>
    public int? CurveEvery { get; init; }

    /// <summary>
    /// The curves are computed on the first this many rows of the training and of the validation data
    /// (null: all of them): reading the features again and walking the trees grows with the rows, the
    /// fit's cost does too, so a fixed sample keeps the overhead a small share of training.
    /// </summary>
    public int? CurveRows { get; init; } = 5_000;

    /// <summary>Whether to log feature_importance.csv and feature_importance.svg for tree models.</summary>
    public bool LogFeatureImportance { get; init; } = true;

    /// <summary>Features the importance chart shows, highest gain first (the CSV has them all).</summary>
    public int ChartFeatures { get; init; } = 25;
}
