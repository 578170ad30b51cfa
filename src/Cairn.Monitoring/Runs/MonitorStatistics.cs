namespace Cairn.Monitoring;

/// <summary>Drift, quality and performance of one comparison, and the values alert rules read.</summary>
public sealed record MonitorStatistics(DriftReport Drift, QualityReport Quality, PerformanceReport? Performance, IReadOnlyDictionary<string, double> Values)
{
    /// <param name="joined">Predictions with their labels; null when the monitor measures no performance.</param>
    /// <param name="expectedRows">The usual rows of such a window, for <c>volume_ratio</c>.</param>
    public static MonitorStatistics Compute(WindowProfile reference, WindowProfile current, MonitorSpec spec,
        IReadOnlyList<LabelledPrediction>? joined, double? expectedRows)
    {
        var columns = current.Profile.Columns;
        var drift = DriftCalculator.Compare(reference.Profile, current.Profile, spec.Drift, columns);
        var quality = QualityCalculator.Compare(reference.Profile, current.Profile, expectedRows, columns);
        PerformanceReport? performance = null;
        if (spec.Performance is { } settings && joined is { Count: > 0 })
        {
            var predictions = new double[joined.Count];
            var labels = new double[joined.Count];
            var slices = (settings.Slices ?? []).ToDictionary(s => s, _ => new string?[joined.Count], StringComparer.Ordinal);
            for (var i = 0; i < joined.Count; i++)
            {
                predictions[i] = joined[i].Score;
                labels[i] = joined[i].Label;
                var s = 0;
                foreach (var keys in slices.Values) keys[i] = joined[i].Slices[s++];
            }
            performance = PerformanceCalculator.Compute(settings, predictions, labels, slices.Count == 0 ? null : slices);
        }
        return new MonitorStatistics(drift, quality, performance, MonitorValues.From(drift, quality, performance));
    }
}
