using Cairn.Tracking;

namespace Cairn.Server.Ui.LoggedModels;

/// <summary>How the pages word a logged model's status and metrics.</summary>
public static class LoggedModelText
{
    public static string Status(LoggedModelStatus status) => status switch
    {
        LoggedModelStatus.LoggedModelPending => "pending",
        LoggedModelStatus.LoggedModelReady => "ready",
        LoggedModelStatus.LoggedModelUploadFailed => "upload failed",
        _ => "unspecified",
    };

    /// <summary>A metric's dataset as <c>name (digest)</c>, or "-" for a metric logged without one.</summary>
    public static string Dataset(Metric metric) => metric.DatasetName is not { Length: > 0 } name ? "-"
        : metric.DatasetDigest is { Length: > 0 } digest ? $"{name} ({digest})" : name;

    /// <summary>
    /// The latest value of each metric on each dataset (the newest timestamp, then the highest
    /// step), ordered by metric then dataset: a model's scores across the data it was evaluated on.
    /// </summary>
    public static IReadOnlyList<Metric> LatestPerDataset(IEnumerable<Metric> metrics) => metrics
        .GroupBy(m => (m.Key, m.DatasetName ?? "", m.DatasetDigest ?? ""))
        .Select(g => g.OrderByDescending(m => m.Timestamp).ThenByDescending(m => m.Step).First())
        .OrderBy(m => m.Key, StringComparer.Ordinal).ThenBy(m => m.DatasetName ?? "", StringComparer.Ordinal).ThenBy(m => m.DatasetDigest ?? "", StringComparer.Ordinal)
        .ToList();
}
