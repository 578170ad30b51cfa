using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Cairn.Models;

/// <summary>
/// Autologging for ML.NET. ML.NET has no global training hooks, so training goes through
/// <see cref="TrainAndLog{TModel}"/>, which fits the pipeline and records what MLflow's autolog
/// records: the trainer and its options, the training curve, feature importance and the model package.
/// </summary>
public static class MlnetAutolog
{
    /// <summary>
    /// Fits <paramref name="pipeline"/> on <paramref name="train"/> and logs to <paramref name="run"/>:
    /// params <c>trainer</c> and <c>trainer.&lt;Option&gt;</c>; metric <c>training_seconds</c>; for boosted
    /// trees (FastTree, LightGbm; binary or regression) the curve <c>train_log_loss</c>/<c>validation_log_loss</c>
    /// or <c>train_rmse</c>/<c>validation_rmse</c> by number of trees, and <c>feature_importance.csv</c>/<c>.svg</c>;
    /// the model package with signature and input example (<see cref="ModelLogging.LogModel"/>).
    /// </summary>
    /// <param name="run">The run that receives the params, metrics and artifacts.</param>
    /// <param name="ml">The context the pipeline was built with.</param>
    /// <param name="pipeline">The estimator chain to fit; its last trainer is the one recorded.</param>
    /// <param name="train">The data to fit on; the training curve reads its first rows again.</param>
    /// <param name="validation">Held-out data for the validation curve (not used to fit).</param>
    /// <param name="options">What to record besides the params; null for the defaults.</param>
    /// <exception cref="CairnException">The pipeline has no trainer.</exception>
    public static TrainedModel<TModel> TrainAndLog<TModel>(this ActiveRun run, MLContext ml, IEstimator<TModel> pipeline, IDataView train,
        IDataView? validation = null, AutologOptions? options = null) where TModel : class, ITransformer
    {
        options ??= new AutologOptions();
        var trainer = TrainerParams.FindTrainer((IEstimator<ITransformer>)pipeline); // before fitting: fail fast
        var trainerName = trainer.GetType().Name;
        run.LogParams(TrainerParams.Of(trainer));

        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        var trainingSeconds = clock.Elapsed.TotalSeconds;
        run.LogMetric("training_seconds", trainingSeconds);

        if (FittedPipeline.From(model) is { } fitted)
        {
            IDataView? featurizedTrain = null;
            IDataView FeaturizedTrain() => featurizedTrain ??= fitted.Featurize(train);
            var labelColumn = TrainerParams.LabelColumn(trainer);
            if (options.LogCurve && labelColumn is not null) LogCurve(run, ml, fitted, FeaturizedTrain, validation, labelColumn, options);
            if (options.LogFeatureImportance && fitted.UncalibratedModel is TreeEnsembleModelParameters trees)
            {
                VBuffer<float> gains = default;
                trees.GetFeatureWeights(ref gains);
                var ranking = FeatureImportance.Rank(FeaturizedTrain().Schema, fitted.Predictor.FeatureColumnName, gains);
                run.LogText(FeatureImportance.ToCsv(ranking), FeatureImportance.CsvFile);
                run.LogText(FeatureImportance.ToSvg(ranking, options.ChartFeatures), FeatureImportance.SvgFile);
            }
        }

        LoggedModel? logged = null;
        if (options.LogModel)
        {
            var label = TrainerParams.LabelColumn(trainer) is { } l && train.Schema.GetColumnOrNull(l) is not null ? l : null;
            logged = run.LogModel(options.ArtifactPath, ml, model, train.Schema, InputExample(train, options.InputExampleRows), label,
                registeredModelName: options.RegisteredModelName);
        }
        return new TrainedModel<TModel>(model, logged, trainerName, trainingSeconds);
    }

    private static void LogCurve(ActiveRun run, MLContext ml, FittedPipeline fitted, Func<IDataView> featurizedTrain, IDataView? validation, string labelColumn,
        AutologOptions options)
    {
        if (fitted.BoostedTrees is not { } ensemble) return; // linear and other learners expose no per-iteration state
        var metric = fitted.Task switch
        {
            PredictionTask.Regression => BoostingCurve.Rmse,
            PredictionTask.BinaryClassification when fitted.Calibrator is { } calibrator => BoostingCurve.LogLoss(calibrator),
            _ => null,
        };
        if (metric is null) return;
        var trainView = featurizedTrain();
        var featureColumn = trainView.Schema.GetColumnOrNull(fitted.Predictor.FeatureColumnName);
        if (featureColumn?.Type is not VectorDataViewType { ItemType: NumberDataViewType } vectorType || vectorType.ItemType != NumberDataViewType.Single) return;
        var curve = new BoostingCurve(ensemble);
        var every = options.CurveEvery is > 0 ? options.CurveEvery.Value : Math.Max(1, (int)Math.Ceiling(ensemble.Trees.Count / (double)AutologOptions.DefaultCurvePoints));
        IDataView Sample(IDataView data) => options.CurveRows is { } cap ? ml.Data.TakeRows(data, cap) : data;
        var sets = new List<(string Prefix, IDataView Data)> { ("train", Sample(trainView)) };
        if (validation is not null) sets.Add(("validation", Sample(fitted.Featurize(validation))));
        foreach (var (prefix, data) in sets)
        {
            if (curve.Read(data, fitted.Predictor.FeatureColumnName, labelColumn) is not { Labels.Length: > 0 } rows) continue;
            foreach (var (trees, value) in curve.Walk(rows, every, metric))
                run.LogMetric($"{prefix}_{metric.Name}", value, step: trees);
        }
    }

    /// <summary>The first rows of the data's scalar columns, or null when a column is a vector (no JSON example for it).</summary>
    private static List<Dictionary<string, object?>>? InputExample(IDataView data, int rows)
    {
        if (rows <= 0 || data.Schema.Any(c => !c.IsHidden && c.Type is VectorDataViewType)) return null;
        var visible = data.Schema.Where(c => !c.IsHidden).ToList();
        var example = new List<Dictionary<string, object?>>();
        using var cursor = data.GetRowCursor(visible);
        var getters = visible.Select(c => ScalarGetter(cursor, c)).ToList();
        while (example.Count < rows && cursor.MoveNext())
            example.Add(visible.Select((c, i) => (c.Name, Value: getters[i]())).ToDictionary(x => x.Name, x => x.Value));
        return example.Count == 0 ? null : example;
    }

    private static Func<object?> ScalarGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        Func<object?> Get<T>()
        {
            var get = cursor.GetGetter<T>(column);
            return () => { T value = default!; get(ref value); return value; };
        }
        if (column.Type == TextDataViewType.Instance)
        {
            var get = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            return () => { ReadOnlyMemory<char> value = default; get(ref value); return value.ToString(); };
        }
        return column.Type.RawType switch
        {
            var t when t == typeof(float) => Get<float>(),
            var t when t == typeof(double) => Get<double>(),
            var t when t == typeof(bool) => Get<bool>(),
            var t when t == typeof(int) => Get<int>(),
            var t when t == typeof(long) => Get<long>(),
            var t when t == typeof(uint) => Get<uint>(),
            _ => () => null,
        };
    }
}
