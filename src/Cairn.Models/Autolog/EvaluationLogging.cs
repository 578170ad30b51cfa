using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cairn.Models;

/// <summary>Evaluating a fitted ML.NET model with ML.NET's own evaluator and logging every metric it reports.</summary>
public static class EvaluationLogging
{
    /// <summary>
    /// Scores <paramref name="data"/> with <paramref name="model"/>, evaluates it for the model's task
    /// (binary, multiclass or regression, read from the transformer that predicts) and logs each of
    /// the evaluator's numbers as <c>{prefix}{snake_case name}</c> (e.g. <c>test_root_mean_squared_error</c>;
    /// a multiclass model adds <c>{prefix}log_loss_class_{i}</c> and <c>{prefix}top_{k}_accuracy</c>).
    /// </summary>
    /// <returns>The metrics logged, by key.</returns>
    /// <exception cref="CairnException">Nothing in the model predicts, or the label column is not in the data.</exception>
    public static IReadOnlyDictionary<string, double> EvaluateAndLog(this ActiveRun run, MLContext ml, ITransformer model, IDataView data,
        string labelColumn, string prefix = "")
    {
        var metrics = Evaluate(ml, model, data, labelColumn, prefix);
        run.LogMetrics(metrics);
        return metrics;
    }

    /// <summary>As <see cref="EvaluateAndLog"/>, without logging.</summary>
    public static IReadOnlyDictionary<string, double> Evaluate(MLContext ml, ITransformer model, IDataView data, string labelColumn, string prefix = "")
    {
        var fitted = FittedPipeline.From(model) ?? throw CairnException.InvalidParameter(
            "The model has no binary, multiclass or regression predictor to evaluate (is the trainer missing from the pipeline?).");
        var scored = model.Transform(data);
        if (scored.Schema.GetColumnOrNull(labelColumn) is null)
            throw CairnException.InvalidParameter($"The label column '{labelColumn}' is not in the scored data (columns: {string.Join(", ", scored.Schema.Select(c => c.Name))}).");
        var result = new SortedDictionary<string, double>(StringComparer.Ordinal);
        object report;
        switch (fitted.Task)
        {
            case PredictionTask.BinaryClassification:
                report = scored.Schema.GetColumnOrNull("Probability") is null
                    ? ml.BinaryClassification.EvaluateNonCalibrated(scored, labelColumn)
                    : ml.BinaryClassification.Evaluate(scored, labelColumn);
                break;
            case PredictionTask.MulticlassClassification:
                var multiclass = ml.MulticlassClassification.Evaluate(scored, labelColumn);
                for (var i = 0; i < multiclass.PerClassLogLoss.Count; i++) result[$"{prefix}log_loss_class_{i}"] = multiclass.PerClassLogLoss[i];
                for (var k = 0; k < multiclass.TopKAccuracyForAllK?.Count; k++) result[$"{prefix}top_{k + 1}_accuracy"] = multiclass.TopKAccuracyForAllK[k];
                report = multiclass;
                break;
            default:
                report = ml.Regression.Evaluate(scored, labelColumn);
                break;
        }
        foreach (var property in report.GetType().GetProperties().Where(p => p.PropertyType == typeof(double)))
            result[prefix + SnakeCase(property.Name)] = (double)property.GetValue(report)!;
        return result;
    }

    /// <summary><c>RootMeanSquaredError</c> → <c>root_mean_squared_error</c>.</summary>
    internal static string SnakeCase(string name)
    {
        var text = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var startsWord = char.IsUpper(name[i]) && i > 0
                && (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])));
            if (startsWord) text.Append('_');
            text.Append(char.ToLowerInvariant(name[i]));
        }
        return text.ToString();
    }
}
