using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Cairn.Models;

/// <summary>What prediction task a fitted model does, read from the ML.NET transformer that predicts.</summary>
public enum PredictionTask
{
    /// <summary>Two classes (a Boolean label).</summary>
    BinaryClassification,
    /// <summary>Several classes (a key label).</summary>
    MulticlassClassification,
    /// <summary>A number (a Single label).</summary>
    Regression,
}

/// <summary>
/// A fitted ML.NET pipeline taken apart: the transformers that make the features, the transformer
/// that predicts, and its model's tree ensemble and calibrator where it has them.
/// </summary>
internal sealed class FittedPipeline
{
    public IReadOnlyList<ITransformer> Featurizers { get; }
    public ISingleFeaturePredictionTransformer<object> Predictor { get; }
    public PredictionTask Task { get; }

    private FittedPipeline(IReadOnlyList<ITransformer> featurizers, ISingleFeaturePredictionTransformer<object> predictor, PredictionTask task) =>
        (Featurizers, Predictor, Task) = (featurizers, predictor, task);

    /// <summary>Takes <paramref name="model"/> apart; null when nothing in it predicts (a featurizer alone).</summary>
    public static FittedPipeline? From(ITransformer model)
    {
        var all = Flatten(model).ToList();
        var at = all.FindLastIndex(t => t is ISingleFeaturePredictionTransformer<object>);
        if (at < 0) return null;
        var predictor = (ISingleFeaturePredictionTransformer<object>)all[at];
        var definition = predictor.GetType().IsGenericType ? predictor.GetType().GetGenericTypeDefinition() : null;
        PredictionTask? task = definition == typeof(BinaryPredictionTransformer<>) ? PredictionTask.BinaryClassification
            : definition == typeof(MulticlassPredictionTransformer<>) ? PredictionTask.MulticlassClassification
            : definition == typeof(RegressionPredictionTransformer<>) ? PredictionTask.Regression
            : null;
        return task is null ? null : new FittedPipeline(all.Take(at).ToList(), predictor, task.Value);
    }

    /// <summary><paramref name="data"/> as the predictor sees it (the features made).</summary>
    public IDataView Featurize(IDataView data) => Featurizers.Aggregate(data, (view, t) => t.Transform(view));

    /// <summary>The model behind a calibrator, if the predictor's model is calibrated.</summary>
    public object UncalibratedModel => Predictor.Model is CalibratedModelParametersBase calibrated
        ? Property(calibrated, "SubModel") ?? Predictor.Model
        : Predictor.Model;

    /// <summary>The calibrator that turns a score into a probability, if any.</summary>
    public ICalibrator? Calibrator => Predictor.Model is CalibratedModelParametersBase calibrated
        ? Property(calibrated, "Calibrator") as ICalibrator
        : null;

    /// <summary>
    /// The boosted trees whose score is the bias plus the weighted sum of their trees' leaves. Forests
    /// (an average) and Tweedie or GAM models (a transform of the sum) are left out: their curve would not be the metric.
    /// </summary>
    public RegressionTreeEnsemble? BoostedTrees => UncalibratedModel switch
    {
        FastTreeBinaryModelParameters m => m.TrainedTreeEnsemble,
        FastTreeRegressionModelParameters m => m.TrainedTreeEnsemble,
        Microsoft.ML.Trainers.LightGbm.LightGbmBinaryModelParameters m => m.TrainedTreeEnsemble,
        Microsoft.ML.Trainers.LightGbm.LightGbmRegressionModelParameters m => m.TrainedTreeEnsemble,
        _ => null,
    };

    /// <summary>A public property by name, the most derived first (the generic base hides the non-generic one with <c>new</c>).</summary>
    private static object? Property(object target, string name) =>
        target.GetType().GetProperties().FirstOrDefault(p => p.Name == name && p.GetIndexParameters().Length == 0)?.GetValue(target);

    private static IEnumerable<ITransformer> Flatten(ITransformer model)
    {
        if (model is IEnumerable<ITransformer> chain)
        {
            foreach (var inner in chain)
                foreach (var t in Flatten(inner))
                    yield return t;
        }
        else
            yield return model;
    }
}
