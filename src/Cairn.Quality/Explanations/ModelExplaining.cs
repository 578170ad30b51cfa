using Cairn.Data;
using Cairn.Models;
using Cairn.Models.Explain;
using Cairn.Registry;

namespace Cairn.Quality.Explanations;

/// <summary>An explanation of rows read from a file, with the rows and the background it used.</summary>
public sealed record FileExplanation(Explanation Explanation, InputRows Data, InputRows Background);

/// <summary>
/// Explaining models with data named by location: the rows from a file or <c>data:/</c> version,
/// the background from another one or, by default, from the dataset version the model was
/// trained on (found through its lineage). Global explanations are stored with the registry.
/// </summary>
public static class ModelExplaining
{
    /// <summary>Rows explained for a global explanation unless told otherwise.</summary>
    public const int DefaultGlobalRows = 200;

    /// <summary>Background rows read before <see cref="ExplainOptions.MaxBackgroundRows"/> are sampled from them.</summary>
    private const int BackgroundRowsRead = ExplainRows.MaxRows;

    /// <summary>The background: rows of <paramref name="location"/>, or of the model's training data when null.</summary>
    /// <exception cref="CairnException">The location cannot be read, or it is null and the model's lineage records no training data.</exception>
    public static async Task<InputRows> BackgroundAsync(CairnClient? client, ExplainableModel model, string? location, string? workspaceDirectory, CancellationToken ct = default)
    {
        location ??= await TrainingDataAsync(client, model, ct).ConfigureAwait(false);
        var rows = await ExplainRows.ReadAsync(location, model.Signature, client, workspaceDirectory, BackgroundRowsRead, ct).ConfigureAwait(false);
        if (rows.Rows.Count == 0) throw CairnException.InvalidParameter($"The background {rows.Source} has no rows.");
        return rows;
    }

    /// <summary>The <c>data:/</c> version the version's run (or its pipeline's steps) read, preferring one logged with a training context.</summary>
    private static async Task<string> TrainingDataAsync(CairnClient? client, ExplainableModel model, CancellationToken ct)
    {
        const string hint = "pass a background with --background <file|data:/name@version> (SDK: the background argument), such as a sample of the training data";
        if (client is null || model.Version is not { } version)
            throw CairnException.InvalidParameter($"{model.Subject} is not a registered version, so its training data is unknown: {hint}.");
        var lineage = await new ModelRegistry(client).LineageAsync($"models:/{version.Name}/{version.Version}", ct).ConfigureAwait(false);
        var runs = lineage.Run is null ? lineage.SiblingRuns : [lineage.Run, .. lineage.SiblingRuns];
        var inputs = runs.SelectMany(r => r.Inputs?.DatasetInputs ?? [])
            .Where(i => i.Dataset.SourceType == ActiveRun.DatasetSourceType && DataUri.IsDataUri(i.Dataset.Source)).ToList();
        var training = inputs.FirstOrDefault(i => i.Context is { } c && c.Contains("train", StringComparison.OrdinalIgnoreCase)) ?? inputs.FirstOrDefault();
        return training?.Dataset.Source
            ?? throw CairnException.InvalidParameter($"models:/{version.Name}/{version.Version} has no recorded training data (its run logged no data:/ input): {hint}.");
    }

    /// <summary>Explains up to <paramref name="maxRows"/> rows of <paramref name="data"/>.</summary>
    /// <param name="client">The store models:/ and data:/ URIs are resolved in (null for a package folder and files).</param>
    /// <param name="model">A models:/ or runs:/ URI, or a package folder.</param>
    /// <param name="data">The rows to explain: a .csv, .parquet or .json file, or a data:/ version.</param>
    /// <param name="background">The background's location; null for the model's training data.</param>
    /// <param name="options">Method, samples, seed.</param>
    /// <param name="maxRows">How many rows of <paramref name="data"/> to explain at most (up to <see cref="ExplainRows.MaxRows"/>).</param>
    /// <param name="workspaceDirectory">Where relative paths and the data cache are found from.</param>
    /// <param name="ct">Cancels reading.</param>
    public static async Task<FileExplanation> ExplainAsync(CairnClient? client, string model, string data, string? background, ExplainOptions? options,
        int maxRows, string? workspaceDirectory, CancellationToken ct = default)
    {
        using var opened = await ExplainableModel.OpenAsync(client, model, ct).ConfigureAwait(false);
        var rows = await ExplainRows.ReadAsync(data, opened.Signature, client, workspaceDirectory, maxRows, ct).ConfigureAwait(false);
        if (rows.Rows.Count == 0) throw CairnException.InvalidParameter($"{rows.Source} has no rows to explain.");
        var backgroundRows = await BackgroundAsync(client, opened, background, workspaceDirectory, ct).ConfigureAwait(false);
        using var explainer = opened.CreateExplainer(backgroundRows.Rows, options);
        return new FileExplanation(explainer.Explain(rows.Rows), rows, backgroundRows);
    }

    /// <summary>
    /// Explains a registered version over a sample of <paramref name="data"/> (default: its background),
    /// stores the summary at <see cref="GlobalExplanation.PathOf"/> and rewrites its model card.
    /// </summary>
    /// <exception cref="CairnException">The URI is not a registered version, or the data or background cannot be read.</exception>
    public static async Task<GlobalExplanation> ExplainGlobalAsync(CairnClient client, string uri, IReadOnlyList<IReadOnlyDictionary<string, object?>>? data,
        IReadOnlyList<IReadOnlyDictionary<string, object?>>? background, ExplainOptions? options, int maxRows, string? workspaceDirectory, CancellationToken ct = default)
    {
        if (maxRows is < 1 or > ExplainRows.MaxRows) throw CairnException.InvalidParameter($"The row limit must be between 1 and {ExplainRows.MaxRows}; {maxRows} was given.");
        using var opened = await ExplainableModel.OpenAsync(client, uri, ct).ConfigureAwait(false);
        var version = opened.Version ?? throw CairnException.InvalidParameter($"Global explanations are stored with registered versions: pass models:/<name>/<version> or models:/<name>@<alias>, not {uri}.");
        background ??= (await BackgroundAsync(client, opened, null, workspaceDirectory, ct).ConfigureAwait(false)).Rows;
        options ??= new ExplainOptions();
        var explained = ModelExplainers.SampleBackground(data ?? background, maxRows, options.Seed);
        if (explained.Count == 0) throw CairnException.InvalidParameter("There are no rows to explain.");
        using var explainer = opened.CreateExplainer(background, options);
        var global = GlobalExplanation.From(explainer.Explain(explained), explained);
        await client.Artifacts.PutAsync(GlobalExplanation.PathOf(version.Name, version.Version), new MemoryStream(System.Text.Encoding.UTF8.GetBytes(global.ToJson())), ct).ConfigureAwait(false);
        await new ModelRegistry(client).WriteCardAsync(version.Name, version.Version, ct).ConfigureAwait(false);
        return global;
    }

    /// <summary>As <see cref="ExplainGlobalAsync(CairnClient, string, IReadOnlyList{IReadOnlyDictionary{string, object}}?, IReadOnlyList{IReadOnlyDictionary{string, object}}?, ExplainOptions?, int, string?, CancellationToken)"/>, with the data and background named by location (null: the training data).</summary>
    public static async Task<GlobalExplanation> ExplainGlobalAsync(CairnClient client, string uri, string? data, string? background, ExplainOptions? options,
        int maxRows, string? workspaceDirectory, CancellationToken ct = default)
    {
        IReadOnlyList<IReadOnlyDictionary<string, object?>>? dataRows = null, backgroundRows = null;
        if (data is not null || background is not null)
        {
            using var opened = await ExplainableModel.OpenAsync(client, uri, ct).ConfigureAwait(false);
            if (data is not null) dataRows = (await ExplainRows.ReadAsync(data, opened.Signature, client, workspaceDirectory, ExplainRows.MaxRows, ct).ConfigureAwait(false)).Rows;
            if (background is not null) backgroundRows = (await BackgroundAsync(client, opened, background, workspaceDirectory, ct).ConfigureAwait(false)).Rows;
        }
        return await ExplainGlobalAsync(client, uri, dataRows, backgroundRows, options, maxRows, workspaceDirectory, ct).ConfigureAwait(false);
    }
}
