namespace Cairn.Monitoring;

/// <summary>
/// Live performance from logged predictions joined to their labels. Classification is binary: a score (a probability for
/// log loss) and a 0/1 label. Rows whose prediction or label is NaN are left out (not labelled).
/// </summary>
public static class PerformanceCalculator
{
    public const string Classification = "classification";
    public const string Regression = "regression";
    public const string MissingSlice = "(missing)";
    public const double LogLossClip = 1e-15;

    /// <param name="slices">Per slice column, one key per row (the same length as the predictions).</param>
    public static PerformanceReport Compute(PerformanceSettings settings, ReadOnlySpan<double> predictions, ReadOnlySpan<double> labels,
        IReadOnlyDictionary<string, string?[]>? slices = null)
    {
        var classification = settings.Task switch
        {
            Classification => true,
            Regression => false,
            _ => throw CairnException.InvalidParameter($"performance.task is '{settings.Task}'; use classification or regression."),
        };
        if (predictions.Length != labels.Length)
            throw CairnException.InvalidParameter($"{predictions.Length} predictions but {labels.Length} labels; give one label per prediction.");
        var rows = new List<int>(predictions.Length);
        for (var i = 0; i < predictions.Length; i++)
        {
            if (double.IsNaN(predictions[i]) || double.IsNaN(labels[i])) continue;
            if (classification && labels[i] is not (0 or 1))
                throw CairnException.InvalidParameter($"Classification labels must be 0 or 1; row {i} has {labels[i]}. Use task regression for other targets.");
            rows.Add(i);
        }
        var overall = Metrics(classification, settings.Threshold, predictions, labels, rows);
        var sliceResults = new List<SlicePerformance>();
        if (slices is not null)
        {
            foreach (var (column, keys) in slices)
            {
                if (keys.Length != predictions.Length)
                    throw CairnException.InvalidParameter($"Slice column '{column}' has {keys.Length} values for {predictions.Length} predictions.");
                var groups = new Dictionary<string, List<int>>(StringComparer.Ordinal);
                foreach (var row in rows)
                {
                    var key = keys[row] ?? MissingSlice;
                    if (!groups.TryGetValue(key, out var members)) groups[key] = members = [];
                    members.Add(row);
                }
                var ordered = groups.Keys.ToList();
                ordered.Sort(StringComparer.Ordinal);
                foreach (var key in ordered)
                    sliceResults.Add(new SlicePerformance(column, key, Metrics(classification, settings.Threshold, predictions, labels, groups[key])));
            }
        }
        return new PerformanceReport(settings.Task, classification ? settings.Threshold : null, overall, sliceResults);
    }

    private static PerformanceMetrics Metrics(bool classification, double threshold, ReadOnlySpan<double> predictions, ReadOnlySpan<double> labels, List<int> rows)
    {
        if (rows.Count == 0) return new PerformanceMetrics(0);
        return classification ? ClassificationMetrics(threshold, predictions, labels, rows) : RegressionMetrics(predictions, labels, rows);
    }

    private static PerformanceMetrics ClassificationMetrics(double threshold, ReadOnlySpan<double> scores, ReadOnlySpan<double> labels, List<int> rows)
    {
        long tp = 0, fp = 0, tn = 0, fn = 0;
        double logLoss = 0;
        var probabilities = true;
        foreach (var row in rows)
        {
            var positive = labels[row] == 1;
            var predicted = scores[row] >= threshold;
            if (predicted) { if (positive) tp++; else fp++; }
            else { if (positive) fn++; else tn++; }
            var score = scores[row];
            if (score is < 0 or > 1) probabilities = false;
            var p = Math.Clamp(score, LogLossClip, 1 - LogLossClip);
            logLoss -= positive ? Math.Log(p) : Math.Log(1 - p);
        }
        // As scikit-learn with zero_division=0: no predicted (or actual) positives give 0, not an error.
        double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        double recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new PerformanceMetrics(rows.Count, Auc(scores, labels, rows), (double)(tp + tn) / rows.Count, precision, recall, f1,
            probabilities ? logLoss / rows.Count : null);
    }

    /// <summary>AUC as the Mann–Whitney U over ranks, tied scores sharing their average rank; null with a single class.</summary>
    private static double? Auc(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels, List<int> rows)
    {
        var n = rows.Count;
        var sorted = new double[n];
        var positive = new bool[n];
        for (var i = 0; i < n; i++) { sorted[i] = scores[rows[i]]; positive[i] = labels[rows[i]] == 1; }
        Array.Sort(sorted, positive);
        double positiveRanks = 0;
        long positives = 0;
        for (var start = 0; start < n;)
        {
            var end = start;
            while (end + 1 < n && sorted[end + 1] == sorted[start]) end++;
            var rank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++)
                if (positive[k]) { positiveRanks += rank; positives++; }
            start = end + 1;
        }
        var negatives = n - positives;
        if (positives == 0 || negatives == 0) return null;
        return (positiveRanks - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    private static PerformanceMetrics RegressionMetrics(ReadOnlySpan<double> predictions, ReadOnlySpan<double> labels, List<int> rows)
    {
        double squares = 0, absolute = 0;
        foreach (var row in rows)
        {
            var error = predictions[row] - labels[row];
            squares += error * error;
            absolute += Math.Abs(error);
        }
        return new PerformanceMetrics(rows.Count, Rmse: Math.Sqrt(squares / rows.Count), Mae: absolute / rows.Count);
    }
}
