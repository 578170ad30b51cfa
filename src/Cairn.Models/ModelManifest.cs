using YamlDotNet.RepresentationModel;

namespace Cairn.Models;

/// <summary>
/// The <c>MLmodel</c> file of a package, in MLflow's format: flavors, signature, input example,
/// model_uuid, run_id and creation time. Kept as a YAML tree so fields written by other tools
/// (MLflow's Python flavors, say) survive a read-modify-write.
/// </summary>
public sealed class ModelManifest
{
    /// <summary>The manifest's file name in a package.</summary>
    public const string FileName = "MLmodel";
    /// <summary>The flavor name of an ML.NET model zip.</summary>
    public const string MlnetFlavor = "mlnet";
    /// <summary>The flavor name of an ONNX graph.</summary>
    public const string OnnxFlavor = "onnx";

    private readonly YamlMappingNode _root;

    private ModelManifest(YamlMappingNode root) => _root = root;

    /// <summary>A new manifest with no flavors yet, a fresh model_uuid and the creation time (UTC) from <paramref name="time"/>.</summary>
    /// <param name="artifactPath">The package's path under the run's artifacts.</param>
    /// <param name="runId">The run the model is logged to; null to leave <c>run_id</c> out.</param>
    /// <param name="signature">The model's signature; null to leave it out.</param>
    /// <param name="time">The clock; null for the system clock.</param>
    public static ModelManifest Create(string artifactPath, string? runId, ModelSignature? signature, TimeProvider? time = null)
    {
        var manifest = new ModelManifest(new YamlMappingNode());
        manifest.Set("artifact_path", artifactPath);
        manifest._root.Add("flavors", new YamlMappingNode());
        manifest.Set("model_uuid", Ids.NewId());
        if (runId is not null) manifest.Set("run_id", runId);
        manifest.Set("utc_time_created", (time ?? TimeProvider.System).GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff"));
        manifest.Set("cairn_version", typeof(ModelManifest).Assembly.GetName().Version?.ToString(3) ?? "0.1.0");
        if (signature is not null) manifest.Signature = signature;
        return manifest;
    }

    /// <summary>Reads an MLmodel file's text, keeping every field.</summary>
    /// <exception cref="CairnException">The text is not YAML, or not a mapping.</exception>
    public static ModelManifest Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw CairnException.InvalidParameter($"The MLmodel file is not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw CairnException.InvalidParameter("The MLmodel file is empty or not a mapping.");
        return new ModelManifest(root);
    }

    /// <summary>The package's unique id (<c>model_uuid</c>); null when absent.</summary>
    public string? ModelUuid => Get("model_uuid");
    /// <summary>The run the package was logged to (<c>run_id</c>); null when absent.</summary>
    public string? RunId => Get("run_id");
    /// <summary>The package's path under the run's artifacts (<c>artifact_path</c>); null when absent.</summary>
    public string? ArtifactPath => Get("artifact_path");
    /// <summary>The creation time as written (<c>utc_time_created</c>, <c>yyyy-MM-dd HH:mm:ss.ffffff</c> UTC); null when absent.</summary>
    public string? CreatedUtc => Get("utc_time_created");

    /// <summary>The names of the package's flavors, in file order (including flavors Cairn cannot load).</summary>
    public IReadOnlyList<string> Flavors => _root.Children.TryGetValue("flavors", out var f) && f is YamlMappingNode m
        ? m.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList()
        : [];

    /// <summary>The settings of one flavor (e.g. <c>model_path</c> of mlnet, <c>data</c> of onnx), or null when absent.</summary>
    public IReadOnlyDictionary<string, string>? Flavor(string name)
    {
        if (!_root.Children.TryGetValue("flavors", out var f) || f is not YamlMappingNode flavors) return null;
        if (!flavors.Children.TryGetValue(name, out var node) || node is not YamlMappingNode settings) return null;
        return settings.Children.Where(kv => kv.Value is YamlScalarNode)
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "");
    }

    /// <summary>Adds a flavor with its settings, replacing one of the same name.</summary>
    public void AddFlavor(string name, IReadOnlyDictionary<string, string> settings)
    {
        var flavors = (YamlMappingNode)_root.Children["flavors"];
        var node = new YamlMappingNode();
        foreach (var (key, value) in settings) node.Add(key, value);
        flavors.Children[new YamlScalarNode(name)] = node;
    }

    /// <summary>The signature (inputs and outputs, stored as JSON strings as MLflow does); null when the manifest has none. Cannot be set to null.</summary>
    public ModelSignature? Signature
    {
        get
        {
            if (!_root.Children.TryGetValue("signature", out var s) || s is not YamlMappingNode signature) return null;
            string? Text(string key) => signature.Children.TryGetValue(key, out var v) && v is YamlScalarNode scalar ? scalar.Value : null;
            return new ModelSignature(ModelSignature.FromJsonText(Text("inputs")), ModelSignature.FromJsonText(Text("outputs")));
        }
        set
        {
            var node = new YamlMappingNode
            {
                { "inputs", new YamlScalarNode(ModelSignature.ToJsonText(value!.Inputs)) { Style = YamlDotNet.Core.ScalarStyle.SingleQuoted } },
                { "outputs", new YamlScalarNode(ModelSignature.ToJsonText(value.Outputs)) { Style = YamlDotNet.Core.ScalarStyle.SingleQuoted } },
            };
            _root.Children[new YamlScalarNode("signature")] = node;
        }
    }

    /// <summary>Records the input example file in MLflow's <c>saved_input_example_info</c>.</summary>
    public void SetInputExample(string fileName) =>
        _root.Children[new YamlScalarNode("saved_input_example_info")] = new YamlMappingNode
        {
            { "artifact_path", fileName }, { "type", "dataframe" }, { "pandas_orient", "split" },
        };

    /// <summary>The input example's file name from <c>saved_input_example_info</c>; null when the package has none.</summary>
    public string? InputExampleFile =>
        _root.Children.TryGetValue("saved_input_example_info", out var n) && n is YamlMappingNode info &&
        info.Children.TryGetValue("artifact_path", out var p) && p is YamlScalarNode path ? path.Value : null;

    /// <summary>The manifest as MLmodel YAML text, without the end-of-document marker.</summary>
    public override string ToString()
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(_root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private string? Get(string key) => _root.Children.TryGetValue(key, out var v) && v is YamlScalarNode s ? s.Value : null;

    private void Set(string key, string value) => _root.Children[new YamlScalarNode(key)] = new YamlScalarNode(value);
}
