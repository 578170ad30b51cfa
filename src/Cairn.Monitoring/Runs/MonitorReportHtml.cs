using System.Globalization;
using System.Net;
using System.Text;

namespace Cairn.Monitoring;

/// <summary>
/// <c>report.html</c>: one self-contained page (inline CSS and SVG, no script, nothing fetched)
/// with the summary table, per column the reference and current distributions side by side and
/// its drift score over time, and the performance. Every text from data or the store is
/// HTML-encoded.
/// </summary>
public static class MonitorReportHtml
{
    private const int Width = 360, Height = 140;

    /// <param name="history">The monitor's earlier runs, oldest first, for the lines over time (may be empty).</param>
    public static string Render(MonitorReport report, IReadOnlyList<MonitorRun> history)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E($"Monitor report: {report.Monitor}")).Append("</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
            .Append(".drifted{color:#b00;font-weight:bold}.feature{display:inline-block;vertical-align:top;margin:0 2em 2em 0}.ref{fill:#4a78b5}.cur{fill:#e08a2c}.line{fill:none;stroke:#4a78b5;stroke-width:2}")
            .Append("small{color:#666}</style></head><body>");
        html.Append("<h1>").Append(E(report.Monitor == "compare" ? "Drift report" : $"Monitor {report.Monitor}")).Append("</h1>");
        html.Append("<p>").Append(E(report.Model.Length > 0 ? $"Model {report.Model}. " : "")).Append("Current: ").Append(E(report.Current)).Append($" ({report.CurrentRows:N0} rows). Reference: ")
            .Append(E(report.Reference)).Append($" ({report.ReferenceRows:N0} rows).</p><p><b>").Append(E(MonitorRunner.Summarize(report))).Append("</b></p>");
        foreach (var note in report.Notes) html.Append("<p><small>").Append(E(note)).Append("</small></p>");
        if (history.Count > 1) Chart(html, "Drift share over time", history, "drift_share");
        if (report.Drift is { } drift) Drift(html, report, drift, history);
        if (report.Performance is { } performance) Performance(html, performance, history);
        Values(html, report.Values);
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Drift(StringBuilder html, MonitorReport report, DriftReport drift, IReadOnlyList<MonitorRun> history)
    {
        html.Append("<h2>Drift</h2><p>").Append(E($"Dataset drift: {(drift.Dataset.Drifted ? "yes" : "no")}, {drift.Dataset.DriftedFeatures} of {drift.Dataset.ComparedFeatures} columns drifted (share {N(drift.Dataset.DriftShare)}; the dataset drifts at {N(drift.Dataset.Threshold)})."))
            .Append("</p><table><tr><th>Column</th><th>Kind</th><th>Method</th><th>Statistic</th><th>p-value</th><th>Threshold</th><th>Verdict</th><th>Error bound</th><th>Missing</th><th>Out of range / unseen</th></tr>");
        foreach (var f in drift.Features)
        {
            var q = report.Quality?.Columns.FirstOrDefault(c => c.Column == f.Column);
            html.Append("<tr><td><a href=\"#col-").Append(E(Anchor(f.Column))).Append("\">").Append(E(f.Column)).Append("</a></td><td>").Append(E(f.Kind)).Append("</td><td>").Append(E(f.Method))
                .Append("</td><td>").Append(N(f.Statistic)).Append("</td><td>").Append(f.PValue is { } p ? N(p) : "").Append("</td><td>").Append(N(f.Threshold))
                .Append("</td><td").Append(f.Drifted ? " class=\"drifted\"" : "").Append('>').Append(E(f.Verdict)).Append("</td><td>").Append(N(f.ErrorBound))
                .Append("</td><td>").Append(q is null ? "" : Percent(q.MissingRate)).Append("</td><td>").Append(q is null ? "" : Percent(q.OutOfRange ?? q.UnseenRate)).Append("</td></tr>");
        }
        html.Append("</table>");
        foreach (var f in drift.Features)
        {
            html.Append("<div class=\"feature\" id=\"col-").Append(E(Anchor(f.Column))).Append("\"><h3>").Append(E(f.Column)).Append("</h3><small>")
                .Append(E(string.Join(", ", f.Statistics.Select(s => $"{s.Key} {N(s.Value)}")))).Append("</small><br>");
            Histogram(html, f.Histogram);
            if (history.Count > 1) Chart(html, "Drift score over time", history, $"drift_score({f.Column})");
            html.Append("</div>");
        }
    }

    /// <summary>Reference (blue) and current (orange) shares per bin, side by side.</summary>
    private static void Histogram(StringBuilder html, DisplayHistogram histogram)
    {
        var bins = histogram.Reference.Count;
        if (bins == 0) { html.Append("<p><small>No data.</small></p>"); return; }
        var top = Math.Max(histogram.Reference.Concat(histogram.Current).Where(double.IsFinite).DefaultIfEmpty(0).Max(), 1e-12);
        var slot = (double)Width / bins;
        html.Append($"<svg width=\"{Width}\" height=\"{Height + 30}\" role=\"img\"><title>reference (blue) and current (orange) shares</title>");
        for (var i = 0; i < bins; i++)
        {
            Bar(html, "ref", i * slot + 1, slot / 2 - 1, histogram.Reference[i] / top);
            Bar(html, "cur", i * slot + slot / 2, slot / 2 - 1, i < histogram.Current.Count ? histogram.Current[i] / top : 0);
        }
        var first = histogram.Categories is { Count: > 0 } c ? c[0] : histogram.Edges.Count > 0 ? N(histogram.Edges[0]) : "";
        var last = histogram.Categories is { Count: > 0 } c2 ? c2[^1] : histogram.Edges.Count > 0 ? N(histogram.Edges[^1]) : "";
        html.Append($"<text x=\"0\" y=\"{Height + 15}\" font-size=\"11\">").Append(E(first)).Append($"</text><text x=\"{Width}\" y=\"{Height + 15}\" font-size=\"11\" text-anchor=\"end\">").Append(E(last)).Append("</text></svg>");
        if (histogram.Categories is { Count: > 0 } categories)
            html.Append("<br><small>").Append(E(string.Join(" · ", categories))).Append("</small>");
    }

    private static void Bar(StringBuilder html, string css, double x, double width, double share)
    {
        if (!double.IsFinite(share) || share <= 0) return;
        var h = share * Height;
        html.Append($"<rect class=\"{css}\" x=\"{F(x)}\" y=\"{F(Height - h)}\" width=\"{F(Math.Max(width, 0.5))}\" height=\"{F(h)}\"/>");
    }

    /// <summary>A value of the runs over their window ends, as a line.</summary>
    private static void Chart(StringBuilder html, string title, IReadOnlyList<MonitorRun> history, string value)
    {
        var points = history.Where(r => r.Values.TryGetValue(value, out var v) && double.IsFinite(v)).Select(r => (X: (double)r.WindowEnd, Y: r.Values[value])).ToList();
        if (points.Count < 2) return;
        double x0 = points[0].X, x1 = points[^1].X, y0 = Math.Min(0, points.Min(p => p.Y)), y1 = Math.Max(points.Max(p => p.Y), y0 + 1e-9);
        var path = string.Join(" ", points.Select(p => $"{F((p.X - x0) / Math.Max(x1 - x0, 1) * Width)},{F(Height - (p.Y - y0) / (y1 - y0) * Height)}"));
        html.Append("<p><small>").Append(E($"{title} ({value}, {points.Count} runs, max {N(y1)})")).Append($"</small><br><svg width=\"{Width}\" height=\"{Height}\" role=\"img\"><title>")
            .Append(E(title)).Append($"</title><polyline class=\"line\" points=\"{path}\"/></svg></p>");
    }

    private static void Performance(StringBuilder html, PerformanceReport performance, IReadOnlyList<MonitorRun> history)
    {
        html.Append("<h2>Performance</h2><table><tr><th>Slice</th><th>Rows</th><th>AUC</th><th>Accuracy</th><th>Precision</th><th>Recall</th><th>F1</th><th>Log loss</th><th>RMSE</th><th>MAE</th></tr>");
        Row(html, "overall", performance.Overall);
        foreach (var slice in performance.Slices) Row(html, $"{slice.Column} = {slice.Value}", slice.Metrics);
        html.Append("</table>");
        if (history.Count > 1) Chart(html, "AUC over time", history, "auc");
    }

    private static void Row(StringBuilder html, string name, PerformanceMetrics m)
    {
        html.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(m.Rows.ToString(CultureInfo.InvariantCulture)).Append("</td>");
        foreach (var v in new[] { m.Auc, m.Accuracy, m.Precision, m.Recall, m.F1, m.LogLoss, m.Rmse, m.Mae }) html.Append("<td>").Append(v is { } x ? N(x) : "").Append("</td>");
        html.Append("</tr>");
    }

    private static void Values(StringBuilder html, IReadOnlyDictionary<string, double> values)
    {
        html.Append("<details><summary>All values (what alert rules read)</summary><table>");
        foreach (var (name, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
            html.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(N(value)).Append("</td></tr>");
        html.Append("</table></details>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
    private static string Anchor(string column) => string.Concat(column.Select(c => char.IsLetterOrDigit(c) ? c : '_'));
    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string N(double v) => double.IsNaN(v) ? "" : v.ToString(Math.Abs(v) >= 1000 ? "0" : "0.####", CultureInfo.InvariantCulture);
    private static string Percent(double? rate) => rate is { } r && double.IsFinite(r) ? r.ToString("0.##%", CultureInfo.InvariantCulture) : "";
}
