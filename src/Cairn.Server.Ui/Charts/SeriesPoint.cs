namespace Cairn.Server.Ui.Charts;

/// <summary>One point of a metric series as the chart sees it: x (step, time or seconds) and y.</summary>
public readonly record struct SeriesPoint(double X, double Y);
