using System.Diagnostics;
using Cairn.Data;
using Cairn.Models;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Cairn.Pipelines.Steps;

/// <summary>
/// <c>uses: train</c>: fits an ML.NET binary classifier, named by <c>trainer</c>, on a CSV table
/// and logs it as a model package (<c>runs:/&lt;step run&gt;/model</c>) on the step's run.
/// </summary>
/// <remarks>
/// with: <c>data</c> (a CSV in the workspace or <c>data:/name@N</c>), <c>label</c> (a true/false column),
/// <c>features</c> (comma list; default: every other column), <c>categorical</c> (text columns among
/// them, one-hot encoded), <c>trainer</c> (default LightGbm), <c>options</c> (the trainer's Options by
/// name: a mapping or <c>k=v, k=v</c>), <c>filter</c> (training rows, e.g. <c>month=1-2</c>),
/// <c>datasets</c> (data:/ versions the table was built from, recorded as inputs for lineage), <c>seed</c>,
/// <c>normalize</c> (min-max scaling of the features; default true except for tree trainers).
/// Outputs: <c>model</c>, <c>rows</c>, <c>trainer</c>, <c>run_id</c>.
/// </remarks>
public sealed class TrainStep : IPipelineStep
{
    public const string Kind = "train";
    public const string ModelArtifact = "model";
    private static readonly string[] TreeTrainers = ["LightGbm", "FastTree", "FastForest", "Gam"];

    public async Task RunAsync(StepContext context, CancellationToken ct)
    {
        StepArgs.RequireKnown(context, Kind, "data", "label", "features", "categorical", "trainer", "options", "filter", "datasets", "seed", "normalize");
        var client = StepRunLog.Client(context);
        var label = context.Require("label");
        var trainerName = context.Optional("trainer") ?? "LightGbm";
        var options = StepArgs.Options(context, "options");
        var filter = StepArgs.Filter(context, "filter");
        if (filter is { Ranges.Count: > 1 }) throw StepArgs.Invalid(context, "filter", $"({filter}) must be one range, such as month=1-2.");
        var seed = (int)StepArgs.Number(context, "seed", 1);
        // Linear learners need features on one scale; trees split on raw values and do not.
        var normalize = StepArgs.Bool(context, "normalize", !TreeTrainers.Contains(trainerName));
        var datasets = StepArgs.List(context.Optional("datasets"));
        foreach (var d in datasets)
            if (!DataUri.IsDataUri(d)) throw StepArgs.Invalid(context, "datasets", $"has '{d}', which is not a dataset version data:/<name>@<version>.");
        var file = await StepArgs.CsvFileAsync(context, "data", "training", ct).ConfigureAwait(false);
        foreach (var d in datasets) await StepRunLog.InputAsync(context, d, "training", ct).ConfigureAwait(false);

        var header = CsvTables.Header(file);
        var categorical = StepArgs.List(context.Optional("categorical"));
        var features = context.Optional("features") is { } given ? StepArgs.List(given) : header.Where(h => h != label).ToList();
        if (features.Count == 0) throw StepArgs.Invalid(context, "features", "names no column.");
        if (features.Contains(label)) throw StepArgs.Invalid(context, "features", $"includes the label '{label}'.");
        foreach (var c in categorical)
            if (!features.Contains(c)) throw StepArgs.Invalid(context, "categorical", $"names '{c}', which is not one of the features.");

        var ml = new MLContext(seed);
        var columns = features.Select(f => (f, categorical.Contains(f) ? DataKind.String : DataKind.Single)).Append((label, DataKind.Boolean)).ToList();
        if (filter is not null && !features.Contains(filter.Column)) columns.Add((filter.Column, DataKind.Single));
        var data = CsvTables.Load(ml, file, columns, filter, (name, cols) =>
            StepArgs.Invalid(context, name == label ? "label" : name == filter?.Column ? "filter" : "features",
                $"names the column '{name}', which {context.Require("data")} does not have; its columns are {string.Join(", ", cols)}."));

        IEstimator<ITransformer> trainer;
        try
        {
            trainer = TrainerCatalog.Create(ml, trainerName, options, label, "Features");
        }
        catch (ArgumentException e)
        {
            throw StepArgs.Invalid(context, options.Count > 0 && e.Message.Contains("option", StringComparison.Ordinal) ? "options" : "trainer", $"is refused: {e.Message}");
        }
        var encoded = categorical.Select(c => new InputOutputColumnPair(c + "_onehot", c)).ToArray();
        IEstimator<ITransformer> featurizer = ml.Transforms.Concatenate("Features", features.Select(f => categorical.Contains(f) ? f + "_onehot" : f).ToArray());
        if (encoded.Length > 0) featurizer = ml.Transforms.Categorical.OneHotEncoding(encoded).Append(featurizer);
        if (normalize) featurizer = featurizer.Append(ml.Transforms.NormalizeMinMax("Features"));

        var rows = data.GetColumn<bool>(label).LongCount();
        if (rows == 0) throw StepArgs.Invalid(context, filter is null ? "data" : "filter", $"leaves no training rows in {context.Require("data")}.");
        var clock = Stopwatch.StartNew();
        ITransformer model;
        try
        {
            model = featurizer.Append(trainer).Fit(data);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            throw new StepFailedException($"step '{context.StepName}': {trainerName} could not train: {e.Message}");
        }
        var seconds = clock.Elapsed.TotalSeconds;

        // The package's inputs: the features and the label (left out of the signature), not a filter-only column.
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(data.Schema.Where(c => features.Contains(c.Name) || c.Name == label));
        var logged = await client.LogModelAsync(context.StepRunId, ModelArtifact, ml, model, builder.ToSchema(), labelColumn: label, ct: ct).ConfigureAwait(false);

        var parameters = new Dictionary<string, string>
        {
            ["trainer"] = trainerName, ["label"] = label, ["features"] = string.Join(",", features), ["categorical"] = string.Join(",", categorical),
            ["filter"] = filter?.ToString() ?? "", ["seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture), ["normalize"] = normalize ? "true" : "false", ["training_rows"] = rows.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in options) parameters["option." + k] = v;
        await StepRunLog.ParamsAsync(context, parameters, ct).ConfigureAwait(false);
        await StepRunLog.MetricsAsync(client, context.StepRunId, new Dictionary<string, double> { ["training_seconds"] = seconds, ["training_rows"] = rows }, ct).ConfigureAwait(false);
        context.Log.WriteLine($"{trainerName} trained on {rows:N0} rows in {seconds:F1} s: {logged.ModelUri}");
        context.SetOutput("model", logged.ModelUri);
        context.SetOutput("rows", rows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.SetOutput("trainer", trainerName);
        context.SetOutput("run_id", context.StepRunId);
    }
}
