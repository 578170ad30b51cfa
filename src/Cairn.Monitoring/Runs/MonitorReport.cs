namespace Cairn.Monitoring;

/// <summary>
/// Everything one monitor run found, as <c>report.json</c> holds it and <c>report.html</c> draws it:
/// the windows compared, drift per column, data quality, live performance, serving figures, and the
/// flat values the alert rules read.
/// </summary>
public sealed record MonitorReport(
    string Monitor,
    string Model,
    string? ModelVersion,
    string Reference,
    string Current,
    long WindowStart,
    long WindowEnd,
    long ReferenceRows,
    long CurrentRows,
    DriftReport? Drift,
    QualityReport? Quality,
    PerformanceReport? Performance,
    IReadOnlyDictionary<string, double> Values,
    IReadOnlyList<string> Notes)
{
    /// <summary>The reference's dataset version (<c>data:/name@N</c>) when it is one: the tracking run logs it as its input.</summary>
    public string? ReferenceUri { get; init; }
}
