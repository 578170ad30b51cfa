using Cairn.Models.Explain;
using Cairn.Quality.Explanations;

namespace Cairn;

/// <summary>
/// Explaining models from a <see cref="CairnClient"/>: SHAP values of rows, and a registered
/// version's global explanation stored with the registry (shown on its model card).
/// </summary>
public static class ClientExplainExtensions
{
    /// <summary>SHAP values of <paramref name="rows"/> for a model.</summary>
    /// <param name="client">The store the model (and the default background) is read from.</param>
    /// <param name="model"><c>models:/name/N</c>, <c>models:/name@alias</c>, <c>runs:/id/path</c> or a package folder.</param>
    /// <param name="rows">Rows of the model's inputs.</param>
    /// <param name="options">Method (default: TreeSHAP for tree ensembles, KernelSHAP otherwise), samples, seed, background size.</param>
    /// <param name="background">Rows standing for "feature unknown"; null for a sample of the version's training data (its run's data:/ input).</param>
    /// <param name="workspaceDirectory">The git workspace whose data cache holds the training data (default: the current folder).</param>
    /// <param name="ct">Cancels the store calls.</param>
    /// <exception cref="CairnException">An unknown model or method, rows or background lacking an input, or no background given and no training data recorded.</exception>
    public static async Task<Explanation> ExplainAsync(this CairnClient client, string model, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows,
        ExplainOptions? options = null, IReadOnlyList<IReadOnlyDictionary<string, object?>>? background = null, string? workspaceDirectory = null, CancellationToken ct = default)
    {
        using var opened = await ExplainableModel.OpenAsync(client, model, ct).ConfigureAwait(false);
        background ??= (await ModelExplaining.BackgroundAsync(client, opened, null, workspaceDirectory, ct).ConfigureAwait(false)).Rows;
        using var explainer = opened.CreateExplainer(background, options);
        return explainer.Explain(rows);
    }

    /// <summary>
    /// Explains a registered version over up to <paramref name="maxRows"/> rows of <paramref name="data"/>
    /// (default: a sample of its background), stores the result at <see cref="GlobalExplanation.PathOf"/>
    /// and rewrites the model card, which then shows a feature importance table.
    /// </summary>
    /// <exception cref="CairnException">The URI is not a registered version, or as <see cref="ExplainAsync"/>.</exception>
    public static Task<GlobalExplanation> ExplainGlobalAsync(this CairnClient client, string uri, IReadOnlyList<IReadOnlyDictionary<string, object?>>? data = null,
        int maxRows = ModelExplaining.DefaultGlobalRows, ExplainOptions? options = null, IReadOnlyList<IReadOnlyDictionary<string, object?>>? background = null,
        string? workspaceDirectory = null, CancellationToken ct = default) =>
        ModelExplaining.ExplainGlobalAsync(client, uri, data, background, options, maxRows, workspaceDirectory, ct);
}
