namespace Cairn.Models.Explain;

/// <summary>How much a metric worsens, on average over repeats, when one input column is shuffled.</summary>
/// <param name="Feature">The input column.</param>
/// <param name="Mean">Mean increase of the metric (larger: the model leans on the column more).</param>
/// <param name="Std">Standard deviation of the increase over the repeats.</param>
public sealed record PermutationScore(string Feature, double Mean, double Std);

/// <summary>Permutation importance of every input, with the metric on the unshuffled rows.</summary>
/// <param name="Metric">One of <see cref="PermutationImportance.Rmse"/> or <see cref="PermutationImportance.LogLoss"/>.</param>
/// <param name="OutputName">The model output the metric reads.</param>
/// <param name="Baseline">The metric on the rows as given.</param>
/// <param name="Scores">Per input column, most important first.</param>
public sealed record PermutationResult(string Metric, string OutputName, double Baseline, IReadOnlyList<PermutationScore> Scores);

/// <summary>
/// Permutation feature importance: per input column, the rows are scored again with that column's
/// values shuffled among them (seeded), and the metric's increase is averaged over repeats. Lower
/// is better for both metrics: RMSE of a numeric output against a numeric label (regression), or
/// the log loss of a probability output against a 0/1 label (binary classification).
/// </summary>
public static class PermutationImportance
{
    /// <summary>Root mean squared error of the output (default: <see cref="ExplainedOutput.NameOf"/>) against the label.</summary>
    public const string Rmse = "rmse";
    /// <summary>Mean log loss of the output (default: <c>Probability</c>) against a 0/1 label.</summary>
    public const string LogLoss = "log_loss";

    /// <summary>Computes the importance of every input of <paramref name="predictor"/>.</summary>
    /// <param name="predictor">The loaded model.</param>
    /// <param name="rows">Rows holding every input (at least 2).</param>
    /// <param name="labels">Per row, the true value (0 or 1 for <see cref="LogLoss"/>).</param>
    /// <param name="metric"><see cref="Rmse"/> or <see cref="LogLoss"/>.</param>
    /// <param name="repeats">Shuffles per column.</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <param name="outputName">The output the metric reads; null for the metric's default.</param>
    /// <exception cref="CairnException">Too few rows, labels not matching the rows, an unknown metric or a missing output.</exception>
    public static PermutationResult Compute(IModelPredictor predictor, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlyList<double> labels,
        string metric, int repeats = 5, int seed = 0, string? outputName = null)
    {
        if (metric is not (Rmse or LogLoss)) throw CairnException.InvalidParameter($"Unknown importance metric '{metric}': use {Rmse} or {LogLoss}.");
        if (rows.Count < 2) throw CairnException.InvalidParameter("Permutation importance needs at least 2 rows to shuffle.");
        if (labels.Count != rows.Count) throw CairnException.InvalidParameter($"There are {rows.Count} rows but {labels.Count} labels: give one label per row.");
        if (repeats < 1) throw CairnException.InvalidParameter($"Permutation importance needs at least 1 repeat; {repeats} was given.");
        if (metric == LogLoss && labels.Any(l => l is not (0 or 1))) throw CairnException.InvalidParameter("Log loss needs labels of 0 or 1.");
        var features = predictor.Signature.Inputs.Select(i => i.Name).ToList();
        ModelExplainers.CheckRows(rows, features, "rows");
        var output = outputName ?? (metric == LogLoss ? "Probability" : ExplainedOutput.NameOf(predictor.Signature));
        if (predictor.Signature.Outputs.All(o => o.Name != output))
            throw CairnException.InvalidParameter($"The model has no output '{output}' (its outputs: {string.Join(", ", predictor.Signature.Outputs.Select(o => o.Name))}).");

        double Score(IReadOnlyList<IReadOnlyDictionary<string, object?>> scoredRows)
        {
            var predicted = predictor.Predict(scoredRows).Select(r => ExplainedOutput.ToDouble(r.TryGetValue(output, out var v) ? v : null, output)).ToList();
            return metric == Rmse
                ? Math.Sqrt(predicted.Select((p, i) => (p - labels[i]) * (p - labels[i])).Average())
                : predicted.Select((p, i) => -Math.Log(Math.Clamp(labels[i] == 1 ? p : 1 - p, 1e-15, 1))).Average();
        }

        var baseline = Score(rows);
        var random = new Random(seed);
        var scores = new List<PermutationScore>(features.Count);
        foreach (var feature in features)
        {
            var increases = new double[repeats];
            for (var k = 0; k < repeats; k++)
            {
                var order = Enumerable.Range(0, rows.Count).ToArray();
                random.Shuffle(order);
                var shuffled = rows.Select((row, i) =>
                {
                    var copy = new Dictionary<string, object?>(row, StringComparer.Ordinal) { [feature] = rows[order[i]][feature] };
                    return (IReadOnlyDictionary<string, object?>)copy;
                }).ToList();
                increases[k] = Score(shuffled) - baseline;
            }
            var mean = increases.Average();
            var std = repeats < 2 ? 0 : Math.Sqrt(increases.Sum(d => (d - mean) * (d - mean)) / (repeats - 1));
            scores.Add(new PermutationScore(feature, mean, std));
        }
        return new PermutationResult(metric, output, baseline, scores.OrderByDescending(s => s.Mean).ThenBy(s => s.Feature, StringComparer.Ordinal).ToList());
    }
}
