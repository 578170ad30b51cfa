using System.Diagnostics;
using System.Globalization;
using Cairn.Models;
using Cairn.Quality.Tables;

namespace Cairn.Quality.ModelTests;

/// <summary>
/// Runs a suite of behavioural tests against a loaded model: minimum functionality, invariance,
/// directional expectations, per-slice metrics over a labelled dataset, and a latency budget.
/// </summary>
/// <example>
/// <code>
/// using var model = await ModelTesting.LoadAsync(client, "models:/delay@candidate");
/// var suite = ModelTestSuite.Load("model-tests.yaml");
/// var report = await ModelTesting.RunAsync(model, "models:/delay@candidate", suite, await ModelTesting.ResolveDatasetAsync(suite, client, null));
/// </code>
/// </example>
public static class ModelTesting
{
    /// <summary>Loads a model: <c>models:/name/N</c>, <c>models:/name@alias</c>, <c>runs:/id/path</c> (through <paramref name="client"/>) or a model package folder.</summary>
    public static async Task<IModelPredictor> LoadAsync(CairnClient? client, string model, CancellationToken ct = default)
    {
        if (Directory.Exists(model)) return ModelLoading.Load(ModelPackage.Open(model));
        if (Registry.ModelUri.IsModelUri(model) || model.StartsWith(RunUri.Scheme, StringComparison.Ordinal))
        {
            if (client is null) throw CairnException.InvalidParameter($"{model} is read from a tracking store, and none was given.");
            return await client.LoadModelAsync(model, ct: ct).ConfigureAwait(false);
        }
        throw CairnException.InvalidParameter($"'{model}' is neither a model package folder nor a model URI (models:/<name>/<version>, models:/<name>@<alias>, runs:/<run_id>/<path>).");
    }

    /// <summary>The suite's dataset (a file, or a <c>data:/</c> version through <paramref name="client"/>); null when the suite has none.</summary>
    public static async Task<DataSource?> ResolveDatasetAsync(ModelTestSuite suite, CairnClient? client, string? workspaceDirectory, CancellationToken ct = default) =>
        suite.Dataset is { } spec ? await DataSource.ResolveAsync(spec.Location, client, workspaceDirectory, ct).ConfigureAwait(false) : null;

    /// <param name="subject">What the report calls the model (its URI or folder).</param>
    /// <param name="dataset">The labelled rows the suite's dataset section describes; needed by slice tests and by tests that take dataset rows.</param>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for tests that cannot run against this model or dataset (unknown inputs, columns or outputs).</exception>
    public static async Task<ModelTestReport> RunAsync(IModelPredictor model, string subject, ModelTestSuite suite, DataSource? dataset = null, CancellationToken ct = default)
    {
        var scorer = new Scorer(model, suite);
        var results = new List<CheckResult>();
        foreach (var test in suite.Tests)
        {
            ct.ThrowIfCancellationRequested();
            if (ModelTestSuite.NeedsDataset(test) && dataset is null)
                throw CairnException.InvalidParameter($"{suite.Source} line {test.Line}: the {test.Kind} test reads the dataset, and none was given.");
            results.Add(test switch
            {
                MinimumFunctionalityTest t => MinimumFunctionality(t, await RowsAsync(t.Rows, t.Line, model, suite, dataset, ct).ConfigureAwait(false), scorer),
                InvarianceTest t => Invariance(t, await RowsAsync(t.Rows, t.Line, model, suite, dataset, ct).ConfigureAwait(false), scorer, model.Signature, suite.Source),
                DirectionalTest t => Directional(t, await RowsAsync(t.Rows, t.Line, model, suite, dataset, ct).ConfigureAwait(false), scorer, model.Signature, suite.Source),
                SliceMetricTest t => await SlicesAsync(t, scorer, model, suite, dataset!, ct).ConfigureAwait(false),
                LatencyTest t => Latency(t, await RowsAsync(t.Rows, t.Line, model, suite, dataset, ct).ConfigureAwait(false), model),
                _ => throw new NotSupportedException(test.Kind),
            });
        }
        return new ModelTestReport($"{subject} ({scorer.ScoreName} as the score)", results);
    }

    private static async Task<List<IReadOnlyDictionary<string, object?>>> RowsAsync(TestRows rows, int line, IModelPredictor model, ModelTestSuite suite, DataSource? dataset, CancellationToken ct)
    {
        if (rows.Inline is { } inline) return InputTyping.Type(inline, model.Signature, suite.Source);
        var read = new List<IReadOnlyDictionary<string, object?>>();
        await foreach (var batch in new LabelledRows(suite.Dataset!, model.Signature, suite.Source).ReadAsync(dataset!, null, false, rows.FromDataset, line, ct).ConfigureAwait(false))
            read.AddRange(batch.Rows);
        return read.Count > 0 ? read : throw CairnException.InvalidParameter($"{suite.Source} line {line}: the dataset {dataset!.Description} has no rows to test with.");
    }

    private static CheckResult MinimumFunctionality(MinimumFunctionalityTest test, List<IReadOnlyDictionary<string, object?>> rows, Scorer scorer)
    {
        var scored = scorer.Score(rows);
        var failures = new List<string>();
        for (var i = 0; i < scored.Length; i++)
        {
            var s = scored[i];
            var where = test.Rows.Inline is { } inline ? $"row at line {inline[i].Line}" : $"dataset row {i + 1}";
            if (test.ExpectedLabel is { } expected && !LabelMatches(s.LabelText, expected)) failures.Add($"{where}: label {s.LabelText}, score {Format(s.Score)}");
            else if (!Validation.Expectation.Within(s.Score, test.ScoreMin, test.ScoreMax)) failures.Add($"{where}: score {Format(s.Score)}");
        }
        var expectedText = string.Join(" and ", new[]
        {
            test.ExpectedLabel is { } l ? $"label {l}" : null,
            test.ScoreMin is not null || test.ScoreMax is not null ? "score " + Validation.Expectation.Bounds(test.ScoreMin, test.ScoreMax) : null,
        }.OfType<string>()) + " for every row";
        var observed = failures.Count == 0 ? $"all {rows.Count} rows as expected" : $"{failures.Count} of {rows.Count} rows not: {failures[0]}";
        return new CheckResult($"minimum_functionality {test.Name}", expectedText, observed, failures.Count == 0, test.Line, failures);
    }

    private static bool LabelMatches(string predicted, string expected) =>
        bool.TryParse(predicted, out var p) && ParseBool(expected) is { } e ? p == e : string.Equals(predicted, expected, StringComparison.Ordinal);

    private static bool? ParseBool(string text) => text.ToLowerInvariant() switch
    {
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        _ => null,
    };

    private static CheckResult Invariance(InvarianceTest test, List<IReadOnlyDictionary<string, object?>> rows, Scorer scorer, ModelSignature signature, string source)
    {
        var before = scorer.Score(rows);
        var after = scorer.Score(InputTyping.Perturb(rows, test.Perturb, signature, source, test.Line));
        var changes = before.Zip(after, (b, a) => Math.Abs(a.Score - b.Score)).ToArray();
        var worst = Array.IndexOf(changes, changes.Max());
        var over = changes.Select((c, i) => (c, i)).Where(x => !(x.c <= test.Epsilon)).ToList();
        var details = over.Take(20).Select(x => $"row {x.i + 1}: {Format(before[x.i].Score)} -> {Format(after[x.i].Score)}").ToList();
        return new CheckResult($"invariance {test.Name}", $"{test.Perturb} changes no score by more than {Format(test.Epsilon)}",
            $"largest change {Format(changes[worst])} (row {worst + 1}); {over.Count} of {rows.Count} rows over", over.Count == 0, test.Line, details);
    }

    private static CheckResult Directional(DirectionalTest test, List<IReadOnlyDictionary<string, object?>> rows, Scorer scorer, ModelSignature signature, string source)
    {
        var before = scorer.Score(rows);
        var after = scorer.Score(InputTyping.Perturb(rows, test.Perturb, signature, source, test.Line));
        var sign = test.Up ? 1 : -1;
        // A wrong-way move is a change against the direction by more than the tolerance.
        var changes = before.Zip(after, (b, a) => sign * (a.Score - b.Score)).ToArray();
        var wrong = changes.Select((c, i) => (c, i)).Where(x => !(x.c >= -test.Tolerance)).ToList();
        var worst = Array.IndexOf(changes, changes.Min());
        var details = wrong.Take(20).Select(x => $"row {x.i + 1}: {Format(before[x.i].Score)} -> {Format(after[x.i].Score)}").ToList();
        var direction = test.Up ? "up" : "down";
        return new CheckResult($"directional {test.Name}", $"{test.Perturb} moves no score {(test.Up ? "down" : "up")} by more than {Format(test.Tolerance)}",
            $"{wrong.Count} of {rows.Count} rows moved against it (smallest move {direction} {Format(changes[worst])} at row {worst + 1}); mean move {direction} {Format(changes.Average())}",
            wrong.Count == 0, test.Line, details);
    }

    private static async Task<CheckResult> SlicesAsync(SliceMetricTest test, Scorer scorer, IModelPredictor model, ModelTestSuite suite, DataSource dataset, CancellationToken ct)
    {
        var slices = new Dictionary<string, List<(double Score, bool Predicted, bool Label)>>(StringComparer.Ordinal);
        var all = new List<(double Score, bool Predicted, bool Label)>();
        long unlabelled = 0;
        await foreach (var batch in new LabelledRows(suite.Dataset!, model.Signature, suite.Source).ReadAsync(dataset, test.SliceBy, true, null, test.Line, ct).ConfigureAwait(false))
        {
            var scored = scorer.Score(batch.Rows);
            for (var i = 0; i < scored.Length; i++)
            {
                if (batch.Labels[i] is not { } label) { unlabelled++; continue; }
                var row = (scored[i].Score, scored[i].Predicted, label);
                all.Add(row);
                var key = batch.Extra[i] ?? "(missing)";
                if (!slices.TryGetValue(key, out var slice)) slices[key] = slice = [];
                slice.Add(row);
            }
        }
        var metricName = test.Metric == SliceMetric.Auc ? "auc" : "accuracy";
        double Metric(List<(double Score, bool Predicted, bool Label)> rows) => test.Metric == SliceMetric.Auc
            ? ClassificationMetrics.Auc(rows.Select(r => ((float)r.Score, r.Label)).ToList())
            : ClassificationMetrics.Accuracy(rows.Select(r => (r.Predicted, r.Label)).ToList());
        var overall = Metric(all);
        var floor = Math.Max(test.MaxDrop is { } drop ? overall - drop : double.NegativeInfinity, test.Min ?? double.NegativeInfinity);
        var expected = $"{metricName} of every slice by {test.SliceBy} with at least {test.MinSliceSize} rows >= " +
            string.Join(" and ", new[] { test.MaxDrop is { } d ? $"overall - {Format(d)}" : null, test.Min is { } m ? Format(m) : null }.OfType<string>());
        if (double.IsNaN(overall))
            return new CheckResult($"slice_metric {test.Name}", expected, $"overall {metricName} cannot be computed over {all.Count} labelled rows (both classes are needed)", false, test.Line);
        var measured = slices.Where(s => s.Value.Count >= test.MinSliceSize)
            .Select(s => (Key: s.Key, Count: s.Value.Count, Value: Metric(s.Value))).Where(s => !double.IsNaN(s.Value)).OrderBy(s => s.Value).ToList();
        var small = slices.Count(s => s.Value.Count < test.MinSliceSize);
        var below = measured.Where(s => s.Value < floor).ToList();
        var overallOk = test.Min is not { } min || overall >= min;
        var notes = $"{measured.Count} slices measured, {small} smaller than {test.MinSliceSize} rows skipped" + (unlabelled > 0 ? $", {unlabelled} rows without a label skipped" : "");
        if (measured.Count == 0)
            return new CheckResult($"slice_metric {test.Name}", expected, $"overall {Format(overall)}; no slice could be measured ({notes})", false, test.Line);
        var worst = measured[0];
        var observed = $"overall {Format(overall)}; worst {test.SliceBy}={worst.Key} {Format(worst.Value)} over {worst.Count} rows; {below.Count} below {Format(floor)}; {notes}";
        var details = below.Select(s => $"{test.SliceBy}={s.Key}: {metricName} {Format(s.Value)} over {s.Count} rows").ToList();
        if (!overallOk) details.Insert(0, $"overall {metricName} {Format(overall)} is below {Format(test.Min!.Value)}");
        return new CheckResult($"slice_metric {test.Name}", expected, observed, below.Count == 0 && overallOk, test.Line, details);
    }

    private const int WarmUpCalls = 5;

    private static CheckResult Latency(LatencyTest test, List<IReadOnlyDictionary<string, object?>> rows, IModelPredictor model)
    {
        for (var i = 0; i < Math.Min(WarmUpCalls, test.Calls); i++) model.Predict([rows[i % rows.Count]]);
        var times = new double[test.Calls];
        for (var i = 0; i < test.Calls; i++)
        {
            var row = rows[i % rows.Count];
            var start = Stopwatch.GetTimestamp();
            model.Predict([row]);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        // Nearest rank: the smallest time at or above which the given share of calls lie.
        var rank = Math.Clamp((int)Math.Ceiling(test.Percentile / 100 * times.Length) - 1, 0, times.Length - 1);
        var value = times[rank];
        var p = test.Percentile.ToString("0.##", CultureInfo.InvariantCulture);
        return new CheckResult($"latency {test.Name}", $"p{p} of single-row predictions <= {Format(test.MaxMilliseconds)} ms",
            $"p{p} {Format(value)} ms over {test.Calls} calls (median {Format(times[times.Length / 2])} ms, max {Format(times[^1])} ms)", value <= test.MaxMilliseconds, test.Line);
    }

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
