namespace Cairn.Models.Explain;

/// <summary>How to explain a model.</summary>
public sealed record ExplainOptions
{
    /// <summary>One of <see cref="ExplainMethods"/>; null picks the best available (exact TreeSHAP for tree ensembles, KernelSHAP otherwise).</summary>
    public string? Method { get; init; }
    /// <summary>KernelSHAP: coalitions evaluated per row (all 2^M when that is fewer).</summary>
    public int Samples { get; init; } = 2048;
    /// <summary>Seed of every random choice (coalition sampling, background subsampling), so that an explanation can be reproduced.</summary>
    public int Seed { get; init; }
    /// <summary>Background rows kept (a seeded sample when more are given).</summary>
    public int MaxBackgroundRows { get; init; } = 100;
    /// <summary>
    /// The class (of a classifier) or target (of a multi-output regressor) explained; null: the
    /// model's single output, or a binary classifier's positive class. Needed for a multiclass model.
    /// </summary>
    public int? Target { get; init; }
}

/// <summary>Creates the explainer that suits a model package.</summary>
public static class ModelExplainers
{
    private static readonly string[] Methods = [ExplainMethods.TreeInterventional, ExplainMethods.TreePathDependent, ExplainMethods.Kernel];

    /// <summary>The explainer for a package: TreeSHAP when its model is a tree ensemble Cairn reads, KernelSHAP otherwise (including trees in a form TreeSHAP refuses, unless TreeSHAP was asked for).</summary>
    /// <param name="package">The model package.</param>
    /// <param name="background">Rows of the model's inputs that stand for "feature unknown" (usually a sample of the training data); a seeded sample of <see cref="ExplainOptions.MaxBackgroundRows"/> is kept.</param>
    /// <param name="options">The method and its settings.</param>
    /// <exception cref="CairnException">No background rows, a background without the model's inputs, or a method the model does not support.</exception>
    public static IModelExplainer Create(ModelPackage package, IReadOnlyList<IReadOnlyDictionary<string, object?>> background, ExplainOptions? options = null)
    {
        options ??= new ExplainOptions();
        var method = options.Method;
        if (method is not null && !Methods.Contains(method))
            throw CairnException.InvalidParameter($"Unknown explanation method '{method}': use {string.Join(", ", Methods)} (or none, for the best the model allows).");
        if (options.MaxBackgroundRows < 1)
            throw CairnException.InvalidParameter($"The background needs at least 1 row; MaxBackgroundRows is {options.MaxBackgroundRows}.");
        var inputs = package.Manifest.Signature?.Inputs.Select(i => i.Name).ToList() ?? [];
        CheckRows(background, inputs, "background");
        var sample = SampleBackground(background, options.MaxBackgroundRows, options.Seed);
        var wantsTree = method is null or ExplainMethods.TreeInterventional or ExplainMethods.TreePathDependent;
        TreeModelExplainer? tree;
        try
        {
            tree = wantsTree ? TreeModelExplainer.TryCreate(package, sample, options) : null;
        }
        catch (CairnException) when (method is null)
        {
            // Trees in a form TreeSHAP does not read (several ensembles joined by a softmax, say): the best
            // left is KernelSHAP, and the explanation says which method it used. Asked for by name, the refusal stands.
            tree = null;
        }
        if (tree is not null) return tree;
        if (wantsTree && method is not null)
            throw CairnException.InvalidParameter($"The method '{method}' needs a tree ensemble model, and this model is not one Cairn can read as trees: use '{ExplainMethods.Kernel}'.");
        var predictor = ModelLoading.Load(package);
        try
        {
            return new KernelExplainer(predictor, sample, options, ownsPredictor: true);
        }
        catch
        {
            predictor.Dispose();
            throw;
        }
    }

    /// <summary>A seeded sample of at most <paramref name="max"/> rows, in their original order; all of them when there are no more.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> SampleBackground(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, int max, int seed)
    {
        if (rows.Count <= max) return rows;
        var random = new Random(seed);
        var order = Enumerable.Range(0, rows.Count).ToArray();
        for (var i = 0; i < max; i++)
        {
            var k = random.Next(i, order.Length);
            (order[i], order[k]) = (order[k], order[i]);
        }
        return order.Take(max).Order().Select(i => rows[i]).ToList();
    }

    /// <summary>Checks that there are rows (unless <paramref name="allowEmpty"/>) and that each holds every input.</summary>
    /// <exception cref="CairnException">No rows, or a row lacking an input, named with its index.</exception>
    public static void CheckRows(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlyList<string> inputs, string what, bool allowEmpty = false)
    {
        if (rows.Count == 0 && !allowEmpty)
            throw CairnException.InvalidParameter($"The {what} is empty: give rows of the model's inputs ({string.Join(", ", inputs)}), such as a sample of the training data.");
        for (var r = 0; r < rows.Count; r++)
        {
            var missing = inputs.Where(i => !rows[r].ContainsKey(i)).ToList();
            if (missing.Count > 0)
                throw CairnException.InvalidParameter($"Row {r + 1} of the {what} lacks the model input{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)} (the model's inputs: {string.Join(", ", inputs)}).");
        }
    }
}
