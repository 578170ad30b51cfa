using Microsoft.ML;

namespace Cairn.Models;

/// <summary>Adds the <c>onnx</c> flavor to an ML.NET package with ML.NET's ONNX converter.</summary>
public static class OnnxExport
{
    /// <summary>The <c>onnx</c> flavor's manifest settings: <c>data</c> (model.onnx), the ONNX Runtime version and the CPU provider.</summary>
    public static Dictionary<string, string> FlavorSettings() => new()
    {
        ["data"] = "model.onnx",
        ["onnx_version"] = typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "",
        ["providers"] = "CPUExecutionProvider",
    };

    /// <summary>Converts the package's mlnet flavor in place and reseals the package; returns the files that changed.</summary>
    public static IReadOnlyList<string> AddOnnxFlavor(ModelPackage package)
    {
        File.WriteAllBytes(package.PathOf("model.onnx"), ConvertMlnet(package));
        package.Manifest.AddFlavor(ModelManifest.OnnxFlavor, FlavorSettings());
        ModelPackage.Seal(package.Folder, package.Manifest);
        return ["model.onnx", ModelManifest.FileName, ModelPackage.DigestsFile];
    }

    /// <summary>The package's mlnet flavor converted to an ONNX graph, in memory; the package is left as it is.</summary>
    /// <exception cref="CairnException">The package has no mlnet flavor, or ML.NET cannot convert its model.</exception>
    internal static byte[] ConvertMlnet(ModelPackage package)
    {
        var mlnet = package.Manifest.Flavor(ModelManifest.MlnetFlavor)
            ?? throw CairnException.InvalidParameter("The package has no mlnet flavor to convert from.");
        var ml = new MLContext(seed: 0);
        using var predictor = new MlnetPredictor(package.PathOf(mlnet["model_path"]), package.Manifest.Signature, ml);
        var rows = package.Manifest.InputExampleFile is { } example && File.Exists(package.PathOf(example))
            ? ModelRows.FromSplitJson(File.ReadAllText(package.PathOf(example)))
            : [DefaultRow(predictor.Signature)];
        using var stream = new MemoryStream();
        try
        {
            ml.Model.ConvertToOnnx(predictor.Model, predictor.ToDataView(rows), stream);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            throw CairnException.InvalidParameter($"ML.NET cannot convert this model to ONNX: {e.Message}");
        }
        return stream.ToArray();
    }

    private static IReadOnlyDictionary<string, object?> DefaultRow(ModelSignature signature) =>
        signature.Inputs.ToDictionary(c => c.Name, c => c.Type switch
        {
            "string" => (object?)"",
            "boolean" => false,
            _ => 0,
        });
}
