namespace Cairn.Models.Explain;

/// <summary>
/// Exact TreeSHAP for a model package whose output is a tree ensemble's (see <see cref="OnnxTreeModel"/>):
/// rows become feature vectors through the model's own encoders, and attributions go to its input columns.
/// </summary>
public sealed class TreeModelExplainer : IModelExplainer
{
    private readonly OnnxTreeModel _model;
    private readonly int _backgroundRows;
    private readonly InterventionalTreeShap? _interventional;
    private readonly PathDependentTreeShap? _pathDependent;

    /// <inheritdoc />
    public string Method { get; }
    /// <inheritdoc />
    public IReadOnlyList<string> Features => _model.Features;

    private TreeModelExplainer(OnnxTreeModel model, string method, int backgroundRows, InterventionalTreeShap? interventional, PathDependentTreeShap? pathDependent) =>
        (_model, Method, _backgroundRows, _interventional, _pathDependent) = (model, method, backgroundRows, interventional, pathDependent);

    /// <summary>
    /// The explainer for a package whose model is a tree ensemble, read from its onnx flavor, or
    /// from its mlnet flavor converted to ONNX in memory (the package is not changed).
    /// </summary>
    /// <param name="package">The model package.</param>
    /// <param name="background">Rows standing for "feature unknown"; at most <see cref="ExplainOptions.MaxBackgroundRows"/> of them are kept (a seeded sample).</param>
    /// <param name="options">The method (<see cref="ExplainMethods.TreeInterventional"/> when null) and the sampling settings.</param>
    /// <returns>Null when the model has no tree ensemble (or ML.NET cannot convert it to ONNX), or when KernelSHAP is asked for.</returns>
    /// <exception cref="CairnException">No background rows, background rows without the model's inputs, an unknown method, a tree ensemble in a form Cairn does not read, or one that does not reproduce the model's output on the background.</exception>
    public static TreeModelExplainer? TryCreate(ModelPackage package, IReadOnlyList<IReadOnlyDictionary<string, object?>> background, ExplainOptions options)
    {
        var method = options.Method ?? ExplainMethods.TreeInterventional;
        if (method == ExplainMethods.Kernel) return null;
        if (method is not (ExplainMethods.TreeInterventional or ExplainMethods.TreePathDependent))
            throw CairnException.InvalidParameter($"Unknown explanation method '{method}'; use {ExplainMethods.TreeInterventional}, {ExplainMethods.TreePathDependent} or {ExplainMethods.Kernel}.");
        if (background.Count == 0) throw CairnException.InvalidParameter("Explaining needs at least one background row.");
        if (options.MaxBackgroundRows < 1) throw CairnException.InvalidParameter($"MaxBackgroundRows must be at least 1; got {options.MaxBackgroundRows}.");

        byte[] onnx;
        if (package.Manifest.Flavor(ModelManifest.OnnxFlavor) is { } settings && settings.TryGetValue("data", out var data) && data.Length > 0)
            onnx = File.ReadAllBytes(package.SealedPathOf(data));
        else if (package.Manifest.Flavor(ModelManifest.MlnetFlavor) is not null)
        {
            try
            {
                onnx = OnnxExport.ConvertMlnet(package);
            }
            catch (CairnException)
            {
                return null; // not convertible: KernelSHAP still explains it through ML.NET
            }
        }
        else return null;

        var model = OnnxTreeModel.TryLoad(onnx, package.Manifest.Signature, options.Target);
        if (model is null) return null;
        try
        {
            var rows = Sample(background, options.MaxBackgroundRows, options.Seed);
            var vectors = model.FeatureVectors(rows);
            model.EnsureReproduces(rows, vectors);
            // The background is reduced (or the covers counted) once here, not per request.
            TreeShapInput.CheckEnsemble(model.Ensemble);
            TreeShapInput.CheckGroups(model.GroupOf, model.Features.Count, model.Ensemble.FeatureCount);
            TreeShapInput.CheckRows(vectors, model.Ensemble.FeatureCount, "Background row");
            return method == ExplainMethods.TreePathDependent
                ? new TreeModelExplainer(model, method, 0, null, new PathDependentTreeShap(TreeCovers.FromData(model.Ensemble, vectors), model.GroupOf, model.Features.Count))
                : new TreeModelExplainer(model, method, vectors.Length, new InterventionalTreeShap(model.Ensemble, vectors, model.GroupOf, model.Features.Count), null);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>At most <paramref name="max"/> rows, chosen with the seed, in their original order.</summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> Sample(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, int max, int seed)
    {
        if (rows.Count <= max) return rows;
        var indices = Enumerable.Range(0, rows.Count).ToArray();
        new Random(seed).Shuffle(indices);
        return [.. indices.Take(max).Order().Select(i => rows[i])];
    }

    /// <inheritdoc />
    public Explanation Explain(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        var vectors = _model.FeatureVectors(rows);
        _model.EnsureReproduces(rows, vectors);
        TreeShapInput.CheckRows(vectors, _model.Ensemble.FeatureCount, "Row");
        var (baseValue, values) = _pathDependent is not null
            ? (_pathDependent.BaseValue, _pathDependent.Explain(vectors))
            : (_interventional!.BaseValue, _interventional.Explain(vectors));
        return new Explanation(Method, _model.Link, _model.OutputName, Features, baseValue,
            [.. vectors.Select(v => _model.Ensemble.Predict(v))], values, _backgroundRows);
    }

    /// <summary>Releases the model's ONNX Runtime sessions.</summary>
    public void Dispose() => _model.Dispose();
}
