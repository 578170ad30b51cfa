using System.Globalization;
using Cairn.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cairn.Pipelines.Steps;

/// <summary>
/// <c>uses: evaluate</c>: scores a binary classifier on held-out rows and logs AUC, accuracy, F1,
/// log loss, precision and recall on the step's run, as outputs, and on the run that produced the
/// model, so gates can read <c>models:/name@alias.metrics.auc</c> of a registered version.
/// </summary>
/// <remarks>
/// with: <c>model</c> (<c>runs:/...</c> or <c>models:/...</c>), <c>data</c> (a CSV or <c>data:/name@N</c>),
/// <c>label</c>, <c>filter</c> (e.g. <c>month=3</c>), <c>log_to_model_run</c> (default true).
/// Outputs: <c>auc</c>, <c>accuracy</c>, <c>f1</c>, <c>log_loss</c>, <c>precision</c>, <c>recall</c>, <c>rows</c>, <c>run_id</c> (the run a gate reads).
/// </remarks>
public sealed class EvaluateStep : IPipelineStep
{
    public const string Kind = "evaluate";

    public async Task RunAsync(StepContext context, CancellationToken ct)
    {
        StepArgs.RequireKnown(context, Kind, "model", "data", "label", "filter", "log_to_model_run");
        var client = StepRunLog.Client(context);
        var modelUri = context.Require("model");
        var label = context.Require("label");
        var filter = StepArgs.Filter(context, "filter");
        if (filter is { Ranges.Count: > 1 }) throw StepArgs.Invalid(context, "filter", $"({filter}) must be one range, such as month=3.");
        var toModelRun = StepArgs.Bool(context, "log_to_model_run", true);
        var file = await StepArgs.CsvFileAsync(context, "data", "evaluation", ct).ConfigureAwait(false);
        using var loaded = await ModelSteps.LoadAsync(context, client, "model", ct).ConfigureAwait(false);
        if (loaded.Predictor is not MlnetPredictor predictor)
            throw StepArgs.Invalid(context, "model", $"({modelUri}) is a {loaded.Flavor} model; evaluate scores ML.NET models.");

        var ml = predictor.Context;
        List<(string Name, DataKind Kind)> columns = predictor.InputSchema.Where(c => c.Name != label)
            .Select(c => (c.Name, c.Type is TextDataViewType ? DataKind.String : c.Type is BooleanDataViewType ? DataKind.Boolean : DataKind.Single))
            .Append((label, DataKind.Boolean)).ToList();
        if (filter is not null && columns.All(c => c.Name != filter.Column)) columns.Add((filter.Column, DataKind.Single));
        var data = CsvTables.Load(ml, file, columns, filter, (name, cols) =>
            StepArgs.Invalid(context, name == label ? "label" : name == filter?.Column ? "filter" : "data",
                $"{(name == label || name == filter?.Column ? "names" : "lacks the model input")} '{name}', which {context.Require("data")} does not have; its columns are {string.Join(", ", cols)}."));
        var rows = data.GetColumn<bool>(label).LongCount();
        if (rows == 0) throw StepArgs.Invalid(context, filter is null ? "data" : "filter", $"leaves no rows to evaluate in {context.Require("data")}.");
        var scored = predictor.Model.Transform(data);
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["rows"] = rows };
        // Calibrated models (a Probability column) also have a log loss; the rest is common to both.
        var m = scored.Schema.GetColumnOrNull("Probability") is not null
            ? ml.BinaryClassification.Evaluate(scored, label)
            : ml.BinaryClassification.EvaluateNonCalibrated(scored, label);
        metrics["auc"] = m.AreaUnderRocCurve;
        metrics["accuracy"] = m.Accuracy;
        metrics["f1"] = m.F1Score;
        metrics["precision"] = m.PositivePrecision;
        metrics["recall"] = m.PositiveRecall;
        if (m is Microsoft.ML.Data.CalibratedBinaryClassificationMetrics calibrated) metrics["log_loss"] = calibrated.LogLoss;
        await StepRunLog.ParamsAsync(context, new Dictionary<string, string> { ["model"] = modelUri, ["label"] = label, ["filter"] = filter?.ToString() ?? "" }, ct)
            .ConfigureAwait(false);
        await StepRunLog.MetricsAsync(client, context.StepRunId, metrics, ct).ConfigureAwait(false);
        if (toModelRun && loaded.Manifest.RunId is { } modelRun && modelRun != context.StepRunId)
            await StepRunLog.MetricsAsync(client, modelRun, metrics.Where(kv => kv.Key != "rows").ToDictionary(), ct).ConfigureAwait(false);
        foreach (var (k, v) in metrics) context.SetOutput(k, StepRunLog.Format(v));
        context.SetOutput("run_id", context.StepRunId);
        context.Log.WriteLine($"{modelUri} on {rows:N0} rows: " + string.Join(", ", metrics.Where(kv => kv.Key != "rows").Select(kv => $"{kv.Key} {kv.Value.ToString("F4", CultureInfo.InvariantCulture)}")));
    }
}
