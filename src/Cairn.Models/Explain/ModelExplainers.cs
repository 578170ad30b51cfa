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
}

/// <summary>Creates the explainer that suits a model package.</summary>
public static class ModelExplainers
{
    /// <summary>The explainer for a package: TreeSHAP when its model is a tree ensemble, KernelSHAP otherwise.</summary>
    /// <param name="package">The model package.</param>
    /// <param name="background">Rows of the model's inputs that stand for "feature unknown" (usually a sample of the training data).</param>
    /// <param name="options">The method and its settings.</param>
    /// <exception cref="CairnException">No background rows, a background without the model's inputs, or a method the model does not support.</exception>
    public static IModelExplainer Create(ModelPackage package, IReadOnlyList<IReadOnlyDictionary<string, object?>> background, ExplainOptions? options = null) =>
        throw new NotImplementedException();
}
