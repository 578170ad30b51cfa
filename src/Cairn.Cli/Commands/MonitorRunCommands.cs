using System.CommandLine;
using System.Globalization;
using Cairn.Monitoring;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn monitor run|compare|report</c>: parse, call the runner, print.</summary>
internal static class MonitorRunCommands
{
    /// <summary>The exit code of <c>--fail-on-drift</c> when the dataset drifts: 1, as a failed quality check (2 is a user error).</summary>
    public const int DriftExitCode = 1;

    public static IEnumerable<Command> Create(TextWriter stdout) => [Run(stdout), Compare(stdout), Report(stdout)];

    private static Option<string?> HtmlOption() => new("--html") { Description = "Also write the report as one self-contained HTML page to this file." };

    private static Option<bool> FailOnDriftOption() => new("--fail-on-drift") { Description = $"Exit with {DriftExitCode} when the dataset drifts (for CI gates)." };

    private static Option<string?> DirectoryOption() => new("-C") { Description = "Run as if started in this folder: the git workspace whose data cache holds data:/ references." };

    private static string Workspace(ParseResult parse, Option<string?> directory) => Path.GetFullPath(parse.GetValue(directory) ?? Environment.CurrentDirectory);

    private static Command Run(TextWriter stdout)
    {
        var directory = DirectoryOption();
        var name = new Argument<string>("name") { Description = "The monitor's name." };
        var at = new Option<string?>("--at") { Description = "End of the window (ISO 8601, UTC when no offset is given); default: now." };
        var html = HtmlOption();
        var failOnDrift = FailOnDriftOption();
        var output = GlobalOptions.Output();
        var inferenceLog = new Option<string?>("--inference-log") { Description = "The inference log folder of a monitor that names none (default .cairn/inference-log)." };
        var command = new Command("run", "Run a monitor now over the window ending now (or --at): drift, quality, performance; record it; route its alerts.")
            { name, at, html, failOnDrift, output, inferenceLog, directory };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var options = new MonitorRunnerOptions { Log = message => stdout.WriteLine(message), Workspace = Workspace(parse, directory), FeaturePushLog = OnlineFeatureWiring.PushLogOf(client) };
            if (parse.GetValue(inferenceLog) is { } folder) options = options with { DefaultInferenceLog = folder };
            var runner = new MonitorRunner(client, client.Monitors, options, client.Time);
            var result = await runner.RunNowAsync(parse.GetValue(name)!, ParseTime(parse.GetValue(at)), ct);
            if (result.Report is null)
                throw CairnException.InvalidParameter($"Monitor '{parse.GetValue(name)}' failed (run {result.Run.RunId}): {result.Run.Error}");
            if (parse.GetValue(html) is { } file) await File.WriteAllTextAsync(file, MonitorReportHtml.Render(result.Report, []), ct);
            if (parse.GetValue(output) == OutputFormat.Json) Output.Json(stdout, new { run = result.Run, report = result.Report, notifications = result.Notifications });
            else Print(stdout, result.Report, result);
            return parse.GetValue(failOnDrift) && result.Report.Drift?.Dataset.Drifted == true ? DriftExitCode : 0;
        });
        return command;
    }

    private static Command Compare(TextWriter stdout)
    {
        var directory = DirectoryOption();
        var reference = new Argument<string>("reference") { Description = "The reference: a CSV or Parquet file, or data:/<name>@<version>." };
        var current = new Argument<string>("current") { Description = "The data compared with it: a file or data:/<name>@<version>." };
        var features = new Option<string[]>("--feature") { Description = "A column to compare (repeatable); default: every column both have." };
        var method = new Option<string?>("--method") { Description = $"One drift method for every column: {string.Join(", ", DriftMethods.All)}; default: by type and size, as Evidently." };
        var threshold = new Option<double?>("--threshold") { Description = "The method's threshold (a p-value for ks and chisquare, a distance otherwise)." };
        var share = new Option<double>("--drift-share") { Description = "The share of drifted columns at which the dataset drifts.", DefaultValueFactory = _ => 0.5 };
        var html = HtmlOption();
        var failOnDrift = FailOnDriftOption();
        var output = GlobalOptions.Output();
        var command = new Command("compare", "Compare two tables offline: drift and data quality per column.")
            { reference, current, features, method, threshold, share, html, failOnDrift, output, directory };
        command.SetAction(async (parse, ct) =>
        {
            var referenceText = parse.GetValue(reference)!;
            var currentText = parse.GetValue(current)!;
            var needsStore = new[] { referenceText, currentText }.Any(Cairn.Data.DataUri.IsDataUri);
            using var client = needsStore ? GlobalOptions.OpenClient(parse) : null;
            var drift = new DriftSettings(parse.GetValue(method), parse.GetValue(threshold), parse.GetValue(share));
            MonitorSpecRules.Validate(new MonitorSpec("compare", "models:/compare/1", Drift: drift));
            var report = await MonitorComparison.CompareAsync(referenceText, currentText, drift, parse.GetValue(features), client, Workspace(parse, directory), ct);
            if (parse.GetValue(html) is { } file) await File.WriteAllTextAsync(file, MonitorReportHtml.Render(report, []), ct);
            if (parse.GetValue(output) == OutputFormat.Json) Output.Json(stdout, report);
            else Print(stdout, report, null);
            return parse.GetValue(failOnDrift) && report.Drift?.Dataset.Drifted == true ? DriftExitCode : 0;
        });
        return command;
    }

    private static Command Report(TextWriter stdout)
    {
        var name = new Argument<string>("name") { Description = "The monitor's name." };
        var run = new Option<string?>("--run") { Description = "A monitor run id (`cairn monitor runs NAME`); default: the latest that succeeded." };
        var html = HtmlOption();
        var output = GlobalOptions.Output();
        var command = new Command("report", "Show a monitor run's report, or write it as HTML (drift over time included).") { name, run, html, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var reports = new MonitorReports(client, client.Monitors);
            var (monitorRun, report) = await reports.ReadAsync(parse.GetValue(name)!, parse.GetValue(run), ct);
            if (parse.GetValue(html) is { } file)
            {
                await File.WriteAllTextAsync(file, MonitorReportHtml.Render(report, await reports.HistoryAsync(report.Monitor, ct)), ct);
                stdout.WriteLine($"Wrote the report of run {monitorRun.RunId} to {file}.");
                return 0;
            }
            if (parse.GetValue(output) == OutputFormat.Json) Output.Json(stdout, report);
            else Print(stdout, report, null);
            return 0;
        });
        return command;
    }

    private static DateTimeOffset? ParseTime(string? text)
    {
        if (text is null) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)) return time;
        throw CairnException.InvalidParameter($"--at '{text}' is not a time: write it in ISO 8601, such as 2026-12-02T13:00:00Z.");
    }

    private static void Print(TextWriter stdout, MonitorReport report, MonitorRunResult? result)
    {
        stdout.WriteLine(report.Monitor == "compare"
            ? $"{report.Current} ({report.CurrentRows} rows) against {report.Reference} ({report.ReferenceRows} rows): {MonitorRunner.Summarize(report)}."
            : $"Monitor '{report.Monitor}' on {report.Model}: {report.Current} against {report.Reference}: {MonitorRunner.Summarize(report)}.");
        foreach (var note in report.Notes) stdout.WriteLine(note);
        if (report.Drift is { Features.Count: > 0 } drift)
        {
            var quality = report.Quality;
            var table = new Table().AddColumns("Column", "Kind", "Method", "Score", "Threshold", "Drift", "Missing", "Out of range / unseen");
            foreach (var f in drift.Features)
            {
                var q = quality?.Columns.FirstOrDefault(c => c.Column == f.Column);
                table.AddRow(Output.Escape(f.Column), f.Kind, f.Method, Output.Number(f.PValue ?? f.Statistic), Output.Number(f.Threshold),
                    f.Verdict == DriftVerdicts.Drifted ? "[red]drifted[/]" : f.Verdict, q is null ? "" : Percent(q.MissingRate),
                    q is null ? "" : Percent(q.OutOfRange ?? q.UnseenRate ?? double.NaN));
            }
            Output.Console(stdout).Write(table);
            stdout.WriteLine($"Dataset drift: {(drift.Dataset.Drifted ? "yes" : "no")} ({drift.Dataset.DriftedFeatures} of {drift.Dataset.ComparedFeatures} columns, threshold share {Output.Number(drift.Dataset.Threshold)}).");
        }
        if (report.Performance is { } performance) stdout.WriteLine($"Performance on {performance.Overall.Rows} labelled rows: {PerformanceText(report.Values)}.");
        foreach (var n in result?.Notifications ?? [])
        {
            var failed = result!.Deliveries.Where(d => ReferenceEquals(d.Notification, n) && !d.Delivered).ToList();
            stdout.WriteLine($"Alert '{n.AlertName}' {n.State} ({n.Severity}): {n.Message}{(failed.Count == 0 ? "" : $" — not delivered to {string.Join("; ", failed.Select(d => $"{d.Destination}: {d.Error}"))}")}");
        }
        if (result is not null) stdout.WriteLine($"Recorded as monitor run {result.Run.RunId} (tracking run {result.Run.TrackingRunId}).");
    }

    private static string PerformanceText(IReadOnlyDictionary<string, double> values) =>
        string.Join(", ", new[] { "auc", "accuracy", "precision", "recall", "f1", "log_loss", "rmse", "mae" }
            .Where(values.ContainsKey).Select(k => $"{k} {Output.Number(values[k])}"));

    private static string Percent(double rate) => double.IsNaN(rate) ? "" : rate.ToString("0.##%", CultureInfo.InvariantCulture);
}
