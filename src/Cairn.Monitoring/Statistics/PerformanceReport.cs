namespace Cairn.Monitoring;

/// <summary>Live performance over labelled rows; a metric that cannot be computed is null (AUC with one class, log loss for scores outside [0, 1]).</summary>
public sealed record PerformanceMetrics(
    long Rows,
    double? Auc = null,
    double? Accuracy = null,
    double? Precision = null,
    double? Recall = null,
    double? F1 = null,
    double? LogLoss = null,
    double? Rmse = null,
    double? Mae = null);

/// <summary>The metrics of the rows whose slice column has one value (<c>(missing)</c> for null).</summary>
public sealed record SlicePerformance(string Column, string Value, PerformanceMetrics Metrics);

/// <param name="Task"><c>classification</c> or <c>regression</c>.</param>
/// <param name="Threshold">Classification: a score at or above it predicts 1.</param>
public sealed record PerformanceReport(string Task, double? Threshold, PerformanceMetrics Overall, IReadOnlyList<SlicePerformance> Slices)
{
    public IReadOnlyDictionary<string, double> ToValues()
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        MonitorValues.AddPerformance(values, this);
        return values;
    }
}
