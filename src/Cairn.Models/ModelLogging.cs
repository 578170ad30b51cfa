using Cairn.Registry;
using Microsoft.ML;

namespace Cairn.Models;

/// <summary>A model logged to a run: its URI, signature and identity.</summary>
public sealed record LoggedModel(string ModelUri, string ModelUuid, ModelSignature Signature, IReadOnlyList<string> Flavors)
{
    /// <summary>The registry version the package became when it was logged with a registered model name; null otherwise.</summary>
    public RegisteredVersion? RegisteredVersion { get; init; }
}

/// <summary>Logging models as packages (MLflow's format) to a run's artifacts.</summary>
public static class ModelLogging
{
    /// <summary>The file name of the input example in a package (MLflow's split-orient JSON).</summary>
    public const string InputExampleFile = "input_example.json";

    /// <summary>
    /// Saves an ML.NET model as a package under <paramref name="artifactPath"/>: the model zip (the
    /// <c>mlnet</c> flavor), a signature inferred from <paramref name="inputSchema"/> and the model's
    /// outputs, an input example, and the digest of every file.
    /// </summary>
    /// <param name="run">The run whose artifacts receive the package.</param>
    /// <param name="artifactPath">The package's folder under the run's artifacts (such as <c>model</c>).</param>
    /// <param name="ml">The context the model was trained with, used to save it.</param>
    /// <param name="model">The trained transformer chain.</param>
    /// <param name="inputSchema">The schema of the data the model was trained on.</param>
    /// <param name="inputExample">Rows (one object, a dictionary, or a sequence of either) written as the package's input example; null for none.</param>
    /// <param name="labelColumn">A column of the schema the model does not need to predict (left out of the signature).</param>
    /// <param name="registeredModelName">When given, the package is also registered as the next version of this model.</param>
    public static LoggedModel LogModel(this ActiveRun run, string artifactPath, MLContext ml, ITransformer model, DataViewSchema inputSchema,
        object? inputExample = null, string? labelColumn = null, string? registeredModelName = null)
    {
        if (registeredModelName is not null) RegistryNames.ValidateModelName(registeredModelName); // before anything is logged
        return Register(run, registeredModelName,
            WithPackageFolder(run, artifactPath, (folder, path) => SaveMlnet(folder, path, run.RunId, ml, model, inputSchema, inputExample, labelColumn)));
    }

    /// <summary>
    /// As <see cref="LogModel"/> (registering it too when <paramref name="registeredModelName"/> is
    /// given), to a run that exists already and is not held open here (a pipeline step's run, which
    /// its engine ends).
    /// </summary>
    public static async Task<LoggedModel> LogModelAsync(this CairnClient client, string runId, string artifactPath, MLContext ml, ITransformer model,
        DataViewSchema inputSchema, object? inputExample = null, string? labelColumn = null, string? registeredModelName = null, CancellationToken ct = default)
    {
        if (registeredModelName is not null) RegistryNames.ValidateModelName(registeredModelName);
        var path = Cairn.Artifacts.ArtifactPath.Normalize(artifactPath, allowRoot: false);
        var run = await client.Tracking.GetRunAsync(runId, ct).ConfigureAwait(false);
        var target = Cairn.Artifacts.ArtifactPath.Combine(Cairn.Artifacts.ArtifactPath.FromUri(run.Info.ArtifactUri), path);
        var folder = Directory.CreateTempSubdirectory("cairn-model-").FullName;
        try
        {
            var manifest = SaveMlnet(folder, path, runId, ml, model, inputSchema, inputExample, labelColumn);
            ModelPackage.Seal(folder, manifest);
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                await using var input = File.OpenRead(file);
                var relative = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
                await client.Artifacts.PutAsync(Cairn.Artifacts.ArtifactPath.Combine(target, relative), input, ct).ConfigureAwait(false);
            }
            var logged = new LoggedModel($"runs:/{runId}/{path}", manifest.ModelUuid!, manifest.Signature!, manifest.Flavors);
            return registeredModelName is null ? logged
                : logged with { RegisteredVersion = await client.RegisterModelAsync(logged.ModelUri, registeredModelName, ct: ct).ConfigureAwait(false) };
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ModelManifest SaveMlnet(string folder, string artifactPath, string runId, MLContext ml, ITransformer model, DataViewSchema inputSchema,
        object? inputExample, string? labelColumn)
    {
        // The label is needed to train, not to predict: the saved schema leaves it out, so typed
        // prediction classes and the ONNX graph do not have to carry it.
        var predictionSchema = inputSchema;
        if (labelColumn is not null)
        {
            if (inputSchema.GetColumnOrNull(labelColumn) is null)
                throw CairnException.InvalidParameter($"The label column '{labelColumn}' is not in the input schema.");
            var builder = new DataViewSchema.Builder();
            builder.AddColumns(inputSchema.Where(c => c.Name != labelColumn));
            predictionSchema = builder.ToSchema();
        }
        ml.Model.Save(model, predictionSchema, Path.Combine(folder, "model.zip"));
        var signature = MlnetPredictor.InferSignature(model, predictionSchema);
        var manifest = ModelManifest.Create(artifactPath, runId, signature);
        manifest.AddFlavor(ModelManifest.MlnetFlavor, new Dictionary<string, string>
        {
            ["model_path"] = "model.zip",
            ["mlnet_version"] = typeof(MLContext).Assembly.GetName().Version?.ToString(3) ?? "",
        });
        WriteInputExample(folder, manifest, inputExample, signature);
        return manifest;
    }

    /// <summary>Logs an ONNX file (from any framework) as a package with the <c>onnx</c> flavor and a tensor signature.</summary>
    /// <param name="run">The run whose artifacts receive the package.</param>
    /// <param name="artifactPath">The package's folder under the run's artifacts (such as <c>model</c>).</param>
    /// <param name="onnxFile">The local path of the .onnx file, copied into the package.</param>
    /// <param name="inputExample">Rows written as the package's input example; null for none.</param>
    /// <param name="registeredModelName">When given, the package is also registered as the next version of this model.</param>
    public static LoggedModel LogOnnxModel(this ActiveRun run, string artifactPath, string onnxFile, object? inputExample = null, string? registeredModelName = null)
    {
        if (!File.Exists(onnxFile)) throw CairnException.InvalidParameter($"The ONNX file '{onnxFile}' does not exist.");
        if (registeredModelName is not null) RegistryNames.ValidateModelName(registeredModelName);
        return Register(run, registeredModelName, WithPackageFolder(run, artifactPath, (folder, path) =>
        {
            File.Copy(onnxFile, Path.Combine(folder, "model.onnx"));
            ModelSignature signature;
            using (var predictor = new OnnxPredictor(Path.Combine(folder, "model.onnx"))) signature = predictor.Signature;
            var manifest = ModelManifest.Create(path, run.RunId, signature);
            manifest.AddFlavor(ModelManifest.OnnxFlavor, OnnxExport.FlavorSettings());
            WriteInputExample(folder, manifest, inputExample, signature);
            return manifest;
        }));
    }

    /// <summary>
    /// Registers a package just logged, when a name is given. The run's buffered metrics are sent
    /// first, so the version's model card and promotion gates see what the run logged so far.
    /// </summary>
    private static LoggedModel Register(ActiveRun run, string? registeredModelName, LoggedModel logged)
    {
        if (registeredModelName is null) return logged;
        run.Flush();
        return logged with { RegisteredVersion = run.Client.RegisterModel(logged.ModelUri, registeredModelName) };
    }

    /// <summary>Builds a package in a temporary folder (given the folder and the normalized artifact path the manifest records), seals it and uploads it.</summary>
    private static LoggedModel WithPackageFolder(ActiveRun run, string artifactPath, Func<string, string, ModelManifest> build)
    {
        var path = Cairn.Artifacts.ArtifactPath.Normalize(artifactPath, allowRoot: false);
        var folder = Directory.CreateTempSubdirectory("cairn-model-").FullName;
        try
        {
            var manifest = build(folder, path);
            var package = ModelPackage.Seal(folder, manifest);
            run.LogArtifacts(folder, path);
            return new LoggedModel($"runs:/{run.RunId}/{path}", manifest.ModelUuid!, manifest.Signature!, manifest.Flavors);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void WriteInputExample(string folder, ModelManifest manifest, object? example, ModelSignature signature)
    {
        if (example is null) return;
        var rows = ModelRows.From(example);
        File.WriteAllText(Path.Combine(folder, InputExampleFile), ModelRows.ToSplitJson(rows, signature.Inputs.Select(c => c.Name).ToList()));
        manifest.SetInputExample(InputExampleFile);
    }
}
