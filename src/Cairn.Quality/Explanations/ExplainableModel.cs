using Cairn.Models;
using Cairn.Models.Explain;
using Cairn.Registry;

namespace Cairn.Quality.Explanations;

/// <summary>
/// A model package opened for explaining: a registered version or logged package fetched into a
/// temporary folder (deleted on dispose), or a package folder on disk, with its signature.
/// </summary>
public sealed class ExplainableModel : IDisposable
{
    private readonly string? _temporaryFolder;

    private ExplainableModel(ModelPackage package, ModelVersion? version, string subject, ModelSignature signature, string? temporaryFolder)
    {
        Package = package;
        Version = version;
        Subject = subject;
        Signature = signature;
        _temporaryFolder = temporaryFolder;
    }

    /// <summary>The package on disk.</summary>
    public ModelPackage Package { get; }
    /// <summary>The registered version, when opened through a <c>models:/</c> URI.</summary>
    public ModelVersion? Version { get; }
    /// <summary>The URI or folder the model was opened from.</summary>
    public string Subject { get; }
    /// <summary>The model's inputs and outputs (from MLmodel, or inferred by loading the model when MLmodel has none).</summary>
    public ModelSignature Signature { get; }

    /// <summary>Opens <c>models:/name/N</c>, <c>models:/name@alias</c>, <c>runs:/id/path</c> (through <paramref name="client"/>) or a package folder.</summary>
    /// <exception cref="CairnException">The reference names no model, or no store was given for a URI.</exception>
    public static async Task<ExplainableModel> OpenAsync(CairnClient? client, string reference, CancellationToken ct = default)
    {
        if (Directory.Exists(reference))
        {
            var local = ModelPackage.Open(reference);
            return new ExplainableModel(local, null, reference, SignatureOf(local), null);
        }
        if (!ModelUri.IsModelUri(reference) && !reference.StartsWith(RunUri.Scheme, StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"'{reference}' is neither a model package folder nor a model URI (models:/<name>/<version>, models:/<name>@<alias>, runs:/<run_id>/<path>).");
        if (client is null) throw CairnException.InvalidParameter($"{reference} is read from a tracking store, and none was given.");
        var registry = new ModelRegistry(client);
        var (version, packagePath) = await registry.ResolveAsync(reference, ct).ConfigureAwait(false);
        var folder = Directory.CreateTempSubdirectory("cairn-explain-").FullName;
        try
        {
            await registry.DownloadPackageAsync(packagePath, folder, ct).ConfigureAwait(false);
            var package = ModelPackage.Open(folder);
            return new ExplainableModel(package, version, reference, SignatureOf(package), folder);
        }
        catch
        {
            Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private static ModelSignature SignatureOf(ModelPackage package)
    {
        if (package.Manifest.Signature is { Inputs.Count: > 0 } signature) return signature;
        using var predictor = ModelLoading.Load(package);
        return predictor.Signature;
    }

    /// <summary>An explainer of the model (see <see cref="ModelExplainers.Create"/>).</summary>
    public IModelExplainer CreateExplainer(IReadOnlyList<IReadOnlyDictionary<string, object?>> background, ExplainOptions? options) =>
        ModelExplainers.Create(Package, background, options);

    /// <summary>Deletes the temporary copy of a fetched package.</summary>
    public void Dispose()
    {
        if (_temporaryFolder is null) return;
        try { Directory.Delete(_temporaryFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
