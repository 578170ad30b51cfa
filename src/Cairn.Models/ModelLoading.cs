namespace Cairn.Models;

/// <summary>A model fetched from the store, verified and loaded: score it typed (ML.NET) or with rows of named values.</summary>
public sealed class LoadedModel(IModelPredictor predictor, string uri, Registry.ModelVersion? version, ModelManifest manifest) : IModelPredictor
{
    /// <summary>The URI the model was loaded from, as given.</summary>
    public string Uri { get; } = uri;
    /// <summary>The registered version, when loaded through a models:/ URI.</summary>
    public Registry.ModelVersion? Version { get; } = version;
    /// <summary>The package's MLmodel manifest.</summary>
    public ModelManifest Manifest { get; } = manifest;
    /// <summary>The flavor's predictor (an <see cref="MlnetPredictor"/> or <see cref="OnnxPredictor"/>).</summary>
    public IModelPredictor Predictor { get; } = predictor;
    /// <inheritdoc />
    public string Flavor => Predictor.Flavor;
    /// <inheritdoc />
    public ModelSignature Signature => Predictor.Signature;

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) => Predictor.Predict(rows);

    /// <summary>Scores one row given as column values.</summary>
    public IReadOnlyDictionary<string, object?> Predict(IReadOnlyDictionary<string, object?> row) => Predictor.Predict([row])[0];

    /// <summary>A typed ML.NET prediction engine (mlnet flavor only).</summary>
    public Microsoft.ML.PredictionEngine<TIn, TOut> CreateEngine<TIn, TOut>() where TIn : class where TOut : class, new() =>
        Predictor is MlnetPredictor mlnet
            ? mlnet.CreateEngine<TIn, TOut>()
            : throw CairnException.InvalidParameter($"Typed prediction needs the mlnet flavor; {Uri} was loaded with the {Flavor} flavor.");

    /// <summary>Releases the predictor (the ONNX Runtime session, for the onnx flavor).</summary>
    public void Dispose() => Predictor.Dispose();
}

/// <summary>Loading model packages from the store or from disk into a predictor.</summary>
public static class ModelLoading
{
    /// <summary>
    /// Resolves <paramref name="uri"/> (<c>models:/name/3</c>, <c>models:/name@alias</c> or
    /// <c>runs:/id/path</c>), fetches the package, verifies every file's digest and loads it with
    /// <paramref name="flavor"/> (default: mlnet when present, else onnx).
    /// </summary>
    public static LoadedModel LoadModel(this CairnClient client, string uri, string? flavor = null) =>
        client.LoadModelAsync(uri, flavor).GetAwaiter().GetResult();

    /// <inheritdoc cref="LoadModel"/>
    public static async Task<LoadedModel> LoadModelAsync(this CairnClient client, string uri, string? flavor = null, CancellationToken ct = default)
    {
        var registry = new ModelRegistry(client);
        var (version, packagePath) = await registry.ResolveAsync(uri, ct).ConfigureAwait(false);
        var folder = Directory.CreateTempSubdirectory("cairn-load-").FullName;
        try
        {
            await registry.DownloadPackageAsync(packagePath, folder, ct).ConfigureAwait(false);
            var package = ModelPackage.Open(folder);
            return new LoadedModel(Load(package, flavor), uri, version, package.Manifest);
        }
        finally
        {
            Directory.Delete(folder, recursive: true); // both flavors hold the model in memory once loaded
        }
    }

    /// <summary>
    /// As <see cref="LoadModelAsync"/> for a registered version, refusing it unless a key in
    /// <paramref name="trusted"/> signed it and its files match what was signed.
    /// </summary>
    /// <exception cref="CairnException">Unsigned, signed by an untrusted key, signature invalid, or a package file changed.</exception>
    public static async Task<LoadedModel> LoadSignedModelAsync(this CairnClient client, string uri, Signing.TrustedKeys trusted, string? flavor = null, CancellationToken ct = default)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-load-").FullName;
        try
        {
            var verified = await new Signing.ModelSignatures(client).DownloadVerifiedAsync(uri, trusted, folder, ct).ConfigureAwait(false);
            return new LoadedModel(Load(verified.Package, flavor), uri, verified.Version, verified.Package.Manifest);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Loads a package already on disk.</summary>
    public static IModelPredictor Load(ModelPackage package, string? flavor = null)
    {
        var flavors = package.Manifest.Flavors;
        var chosen = flavor ?? (flavors.Contains(ModelManifest.MlnetFlavor) ? ModelManifest.MlnetFlavor
            : flavors.Contains(ModelManifest.OnnxFlavor) ? ModelManifest.OnnxFlavor
            : throw CairnException.InvalidParameter($"The package has no flavor Cairn can load (it has: {string.Join(", ", flavors)}); Cairn loads mlnet and onnx."));
        var settings = package.Manifest.Flavor(chosen)
            ?? throw CairnException.InvalidParameter($"The package has no '{chosen}' flavor (it has: {string.Join(", ", flavors)}).");
        return chosen switch
        {
            ModelManifest.MlnetFlavor => new MlnetPredictor(package.SealedPathOf(Setting(settings, chosen, "model_path")), package.Manifest.Signature),
            ModelManifest.OnnxFlavor => new OnnxPredictor(package.SealedPathOf(Setting(settings, chosen, "data")), package.Manifest.Signature),
            _ => throw CairnException.InvalidParameter($"Cairn cannot load the '{chosen}' flavor; it loads mlnet and onnx."),
        };
    }

    /// <summary>A flavor's setting in MLmodel; a package written by hand (or tampered with) may lack it.</summary>
    private static string Setting(IReadOnlyDictionary<string, string> settings, string flavor, string key) =>
        settings.TryGetValue(key, out var value) && value.Length > 0 ? value
            : throw CairnException.InvalidParameter($"The package's MLmodel has no '{key}' for its '{flavor}' flavor, so the model file cannot be found.");
}
