namespace Cairn.Monitoring;

/// <summary>
/// The flat values a monitor run stores and alert rules read. Names: <c>drift_share</c>, <c>drifted_features</c>,
/// <c>dataset_drift</c> (0/1), <c>rows</c>, <c>reference_rows</c>; per column <c>drift(col)</c> (0/1), <c>drift_score(col)</c>,
/// <c>ks(col)</c>, <c>ks_pvalue(col)</c>, <c>psi(col)</c>, <c>wasserstein(col)</c>, <c>chisquare(col)</c>,
/// <c>chisquare_pvalue(col)</c>, <c>jensenshannon(col)</c>, <c>missing_rate(col)</c>, <c>out_of_range(col)</c>,
/// <c>unseen_rate(col)</c>, <c>type_violations(col)</c> (a count), <c>type_violation_rate(col)</c>; <c>volume_ratio</c>;
/// <c>auc</c>, <c>accuracy</c>, <c>precision</c>, <c>recall</c>, <c>f1</c>, <c>log_loss</c>, <c>rmse</c>, <c>mae</c>,
/// <c>labelled_rows</c>, and each per slice as <c>auc[col=value]</c>. Only values that were computed are present.
/// </summary>
public static class MonitorValues
{
    public static IReadOnlyDictionary<string, double> From(DriftReport? drift, QualityReport? quality = null, PerformanceReport? performance = null)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (drift is not null) AddDrift(values, drift);
        if (quality is not null) AddQuality(values, quality);
        if (performance is not null) AddPerformance(values, performance);
        return values;
    }

    internal static void AddDrift(Dictionary<string, double> values, DriftReport report)
    {
        values["rows"] = report.CurrentRows;
        values["reference_rows"] = report.ReferenceRows;
        var dataset = report.Dataset;
        if (!double.IsNaN(dataset.DriftShare)) values["drift_share"] = dataset.DriftShare;
        values["drifted_features"] = dataset.DriftedFeatures;
        values["dataset_drift"] = dataset.Drifted ? 1 : 0;
        foreach (var feature in report.Features)
        {
            values[$"drift({feature.Column})"] = feature.Drifted ? 1 : 0;
            if (feature.Verdict == DriftVerdicts.NoData) continue;
            values[$"drift_score({feature.Column})"] = feature.Statistic;
            foreach (var (name, value) in feature.Statistics) values[$"{name}({feature.Column})"] = value;
        }
    }

    internal static void AddQuality(Dictionary<string, double> values, QualityReport report)
    {
        values["rows"] = report.Rows;
        if (report.VolumeRatio is { } ratio) values["volume_ratio"] = ratio;
        foreach (var column in report.Columns)
        {
            if (column.Rows == 0) continue;
            values[$"missing_rate({column.Column})"] = column.MissingRate;
            values[$"type_violations({column.Column})"] = column.TypeViolations;
            values[$"type_violation_rate({column.Column})"] = column.TypeViolationRate;
            if (column.OutOfRange is { } outOfRange) values[$"out_of_range({column.Column})"] = outOfRange;
            if (column.UnseenRate is { } unseen) values[$"unseen_rate({column.Column})"] = unseen;
        }
    }

    internal static void AddPerformance(Dictionary<string, double> values, PerformanceReport report)
    {
        Add(values, report.Overall, "");
        foreach (var slice in report.Slices) Add(values, slice.Metrics, $"[{slice.Column}={slice.Value}]");
    }

    private static void Add(Dictionary<string, double> values, PerformanceMetrics metrics, string suffix)
    {
        values["labelled_rows" + suffix] = metrics.Rows;
        Put(values, "auc" + suffix, metrics.Auc);
        Put(values, "accuracy" + suffix, metrics.Accuracy);
        Put(values, "precision" + suffix, metrics.Precision);
        Put(values, "recall" + suffix, metrics.Recall);
        Put(values, "f1" + suffix, metrics.F1);
        Put(values, "log_loss" + suffix, metrics.LogLoss);
        Put(values, "rmse" + suffix, metrics.Rmse);
        Put(values, "mae" + suffix, metrics.Mae);
    }

    private static void Put(Dictionary<string, double> values, string name, double? value)
    {
        if (value is { } v && !double.IsNaN(v)) values[name] = v;
    }
}
