using Cairn.Registry;
using Cairn.Storage.Local;
using Cairn.Testing;

namespace Cairn.Models.Tests;

/// <summary>Logging, converting, registering and loading a real FastTree flight-delay model.</summary>
public class ModelPackageTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly FlightsModel _flights = FlightsModel.Instance;

    public void Dispose() => _folder.Dispose();

    private CairnClient Open() => CairnClient.Open(_folder.File("store"));

    private (string RunId, LoggedModel Logged) LogModel(CairnClient cairn, double auc = 0.7)
    {
        using var run = cairn.StartRun("delay");
        run.LogParam("trees", 40);
        run.LogMetric("auc", auc);
        var logged = run.LogModel("model", _flights.Ml, _flights.Model, _flights.InputSchema, _flights.Rows.Take(3).ToList(), labelColumn: "Late");
        return (run.RunId, logged);
    }

    [Fact]
    public async Task LogModel_AnUnnormalizedArtifactPath_IsRecordedAsUploaded()
    {
        using var cairn = Open();
        using var run = cairn.StartRun("delay");
        var logged = run.LogModel("nested/model/", _flights.Ml, _flights.Model, _flights.InputSchema, labelColumn: "Late");

        var registry = new ModelRegistry(cairn);
        var (_, path) = await registry.ResolveAsync(logged.ModelUri);
        await registry.DownloadPackageAsync(path, _folder.File("pkg"));

        Assert.Equal($"runs:/{run.RunId}/nested/model", logged.ModelUri);
        Assert.Equal("nested/model", ModelPackage.Open(_folder.File("pkg")).Manifest.ArtifactPath);
    }

    [Fact]
    public async Task LogModel_WritesAnMlflowPackageWithSignatureExampleAndDigests()
    {
        using var cairn = Open();
        var (runId, logged) = LogModel(cairn);

        var registry = new ModelRegistry(cairn);
        var (_, path) = await registry.ResolveAsync(logged.ModelUri);
        await registry.DownloadPackageAsync(path, _folder.File("pkg"));
        var package = ModelPackage.Open(_folder.File("pkg"));
        var mlmodel = await File.ReadAllTextAsync(_folder.File("pkg/MLmodel"));

        Assert.Equal($"runs:/{runId}/model", logged.ModelUri);
        Assert.Equal(runId, package.Manifest.RunId);
        Assert.Equal(["mlnet"], package.Manifest.Flavors);
        Assert.Equal(["Hour", "DayOfWeek", "Distance", "Origin", "Destination"], package.Manifest.Signature!.Inputs.Select(c => c.Name));
        Assert.Equal(["float", "float", "float", "string", "string"], package.Manifest.Signature.Inputs.Select(c => c.Type));
        Assert.Equal(["PredictedLabel", "Score", "Probability"], package.Manifest.Signature.Outputs.Select(c => c.Name));
        Assert.Contains("model_path: model.zip", mlmodel);
        Assert.Contains("saved_input_example_info:", mlmodel);
        Assert.Contains("inputs: '[{\"type\":\"float\",\"name\":\"Hour\"", mlmodel);
        Assert.Equal(3, ModelRows.FromSplitJson(await File.ReadAllTextAsync(_folder.File("pkg/input_example.json"))).Count);
        Assert.True(File.Exists(_folder.File("pkg/digests.json")));
    }

    /// <summary>Logs the flights model and downloads its package into ./pkg.</summary>
    private async Task<LoggedModel> DownloadPackageAsync(CairnClient cairn)
    {
        var (_, logged) = LogModel(cairn);
        var registry = new ModelRegistry(cairn);
        var (_, path) = await registry.ResolveAsync(logged.ModelUri);
        await registry.DownloadPackageAsync(path, _folder.File("pkg"));
        return logged;
    }

    [Fact]
    public async Task OnnxPredict_LargeRequestInParallelSubBatches_MatchesRowByRowInOrder_AndNamesABadRowByItsIndex()
    {
        using var cairn = Open();
        await DownloadPackageAsync(cairn);
        OnnxExport.AddOnnxFlavor(ModelPackage.Open(_folder.File("pkg")));
        using var onnx = ModelLoading.Load(ModelPackage.Open(_folder.File("pkg")), "onnx");
        var rows = _flights.Rows.Take(5000).Select(_flights.AsRow).ToList();

        var batched = onnx.Predict(rows);

        Assert.Equal(rows.Count, batched.Count);
        foreach (var i in new[] { 0, OnnxPredictor.SubBatchRows - 1, OnnxPredictor.SubBatchRows, 2500, 4999 })
            Assert.Equal((float)onnx.Predict([rows[i]])[0]["Score"]!, (float)batched[i]["Score"]!, 1e-5f);
        var broken = rows.Select(r => (IReadOnlyDictionary<string, object?>)r.Where(kv => true).ToDictionary()).ToList();
        ((Dictionary<string, object?>)broken[3000]).Remove("Distance");
        var error = Assert.Throws<CairnException>(() => onnx.Predict(broken));
        Assert.Contains("row 3000", error.Message);
    }

    /// <summary>The flights as the raw graph's input tensors ([rows, 1] each), for sessions opened without Cairn.</summary>
    private static List<Microsoft.ML.OnnxRuntime.NamedOnnxValue> RawFeeds(Microsoft.ML.OnnxRuntime.InferenceSession session, IReadOnlyList<FlightExample> rows)
    {
        Microsoft.ML.OnnxRuntime.NamedOnnxValue Column<T>(string name, Func<FlightExample, T> value) =>
            Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(name, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<T>(rows.Select(value).ToArray(), [rows.Count, 1]));
        return new List<Microsoft.ML.OnnxRuntime.NamedOnnxValue>
        {
            Column("Hour", r => r.Hour), Column("DayOfWeek", r => r.DayOfWeek), Column("Distance", r => r.Distance),
            Column("Origin", r => r.Origin), Column("Destination", r => r.Destination),
        }.Where(f => session.InputMetadata.ContainsKey(f.Name)).ToList();
    }

    /// <summary>The flights package in ./pkg with an onnx flavor added, loaded by Cairn's ONNX predictor.</summary>
    private async Task<OnnxPredictor> FlightsOnnxPredictorAsync()
    {
        using var cairn = Open();
        await DownloadPackageAsync(cairn);
        OnnxExport.AddOnnxFlavor(ModelPackage.Open(_folder.File("pkg")));
        return (OnnxPredictor)ModelLoading.Load(ModelPackage.Open(_folder.File("pkg")), "onnx");
    }

    [Fact]
    public async Task OnnxPredictor_KeepsOnlyTheSignaturesOutputs_AndScoresAsTheWholeGraphDoes()
    {
        using var onnx = await FlightsOnnxPredictorAsync();
        using var whole = new Microsoft.ML.OnnxRuntime.InferenceSession(_folder.File("pkg/model.onnx")); // the graph as exported
        var rows = _flights.Rows.Take(300).ToList();

        var scores = onnx.Predict(rows.Select(_flights.AsRow).ToList());
        var n = rows.Count;
        var feeds = RawFeeds(whole, rows);
        using var reference = whole.Run(feeds, ["Score.output"]);
        var expected = reference.Single().AsTensor<float>().ToArray();

        Assert.Contains("Features.output", whole.OutputMetadata.Keys); // the exporter's intermediate columns are graph outputs...
        Assert.Equal(["PredictedLabel.output", "Probability.output", "Score.output"], onnx.Session.OutputMetadata.Keys.Order()); // ...that the served graph drops
        for (var i = 0; i < n; i++) Assert.Equal(expected[i], (float)scores[i]["Score"]!, 1e-5f); // trees summed in another order by a multi-threaded run
    }

    [Fact]
    public async Task OnnxPredictor_ScoresTheTreesItself_AndAgreesWithOnnxRuntimeOnEveryFlight()
    {
        using var onnx = await FlightsOnnxPredictorAsync();
        using var whole = new Microsoft.ML.OnnxRuntime.InferenceSession(_folder.File("pkg/model.onnx")); // the graph as exported
        var rows = _flights.Rows;
        List<TensorColumn> columns =
        [
            new("Hour", rows.Select(r => r.Hour).ToArray(), 1), new("DayOfWeek", rows.Select(r => r.DayOfWeek).ToArray(), 1),
            new("Distance", rows.Select(r => r.Distance).ToArray(), 1), new("Origin", rows.Select(r => r.Origin).ToArray(), 1),
            new("Destination", rows.Select(r => r.Destination).ToArray(), 1),
        ];

        var predicted = onnx.PredictColumns(columns, rows.Count).ToDictionary(c => c.Name, c => c.Values);
        using var reference = whole.Run(RawFeeds(whole, rows), ["Score.output", "Probability.output", "PredictedLabel.output"]);
        var expected = reference.ToDictionary(r => r.Name[..^".output".Length], r => r.Value);

        Assert.True(onnx.TreeEnsembleCompiled);
        Assert.Equal(10_000, rows.Count);
        foreach (var name in new[] { "Score", "Probability" })
        {
            var (e, a) = (((Microsoft.ML.OnnxRuntime.Tensors.Tensor<float>)expected[name]).ToArray(), (float[])predicted[name]);
            for (var i = 0; i < rows.Count; i++) Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5f * Math.Max(1, Math.Abs(e[i])), $"{name} of flight {i}: {e[i]} vs {a[i]}");
        }
        Assert.Equal(((Microsoft.ML.OnnxRuntime.Tensors.Tensor<bool>)expected["PredictedLabel"]).ToArray(), (bool[])predicted["PredictedLabel"]);
    }

    [Fact]
    public async Task ServingGraph_JoinsColumnsWithConcat_AndFallsBackWhenAWidthIsWrong()
    {
        using var cairn = Open();
        await DownloadPackageAsync(cairn);
        OnnxExport.AddOnnxFlavor(ModelPackage.Open(_folder.File("pkg")));
        var path = _folder.File("pkg/model.onnx");
        var rewritten = OnnxServingGraph.Rewrite(path, keepOutput: null, joinWithConcat: true);
        var ops = Onnx.ModelProto.Parser.ParseFrom(rewritten!.Value.Model).Graph.Node.Select(n => n.OpType).ToList();
        Assert.True(rewritten.Value.Joined);
        Assert.DoesNotContain("FeatureVectorizer", ops);
        Assert.Contains("Concat", ops);

        // A FeatureVectorizer told Hour is 2 wide pads it with a zero; Reshape to [rows, 2] cannot
        // take one value per row, so the predictor must fall back to the graph as it is.
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var vectorizer = model.Graph.Node.Single(n => n.OpType == "FeatureVectorizer");
        var widths = vectorizer.Attribute.Single(a => a.Name == "inputdimensions").Ints;
        widths[vectorizer.Input.IndexOf("Hour")] = 2;
        var altered = _folder.File("altered.onnx");
        File.WriteAllBytes(altered, Google.Protobuf.MessageExtensions.ToByteArray(model));
        var signature = ModelPackage.Open(_folder.File("pkg")).Manifest.Signature;
        using var predictor = new OnnxPredictor(altered, signature);
        using var plain = new Microsoft.ML.OnnxRuntime.InferenceSession(altered);
        var row = _flights.Rows[7];
        var predicted = (float)predictor.Predict([_flights.AsRow(row)])[0]["Score"]!;
        var feeds = RawFeeds(plain, [row]);
        using var expected = plain.Run(feeds, ["Score.output"]);
        Assert.Equal(expected.Single().AsTensor<float>()[0], predicted, 1e-5f);
    }

    [Fact]
    public async Task ConvertToOnnx_BothFlavorsAgreeWithin1e4OnAThousandRows()
    {
        using var cairn = Open();
        await DownloadPackageAsync(cairn);

        var changed = OnnxExport.AddOnnxFlavor(ModelPackage.Open(_folder.File("pkg")));
        var package = ModelPackage.Open(_folder.File("pkg")); // digests resealed

        var rows = _flights.Rows.Skip(5000).Take(1000).Select(_flights.AsRow).ToList();
        using var mlnet = ModelLoading.Load(package, "mlnet");
        using var onnx = ModelLoading.Load(package, "onnx");
        var expected = mlnet.Predict(rows);
        var actual = onnx.Predict(rows);

        Assert.Contains("model.onnx", changed);
        Assert.Equal(["mlnet", "onnx"], package.Manifest.Flavors);
        Assert.Equal(1000, actual.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.InRange(Math.Abs((float)expected[i]["Score"]! - (float)actual[i]["Score"]!), 0, 1e-4);
            Assert.InRange(Math.Abs((float)expected[i]["Probability"]! - (float)actual[i]["Probability"]!), 0, 1e-4);
            Assert.Equal(expected[i]["PredictedLabel"], actual[i]["PredictedLabel"]);
        }
    }

    [Fact]
    public async Task RegisterAliasAndLoad_TypedAndWithColumnValues()
    {
        using var cairn = Open();
        var (runId, logged) = LogModel(cairn);
        var registry = new ModelRegistry(cairn);

        var version = await registry.RegisterAsync(logged.ModelUri, "delay", "Predicts arrival delays over 15 minutes.");
        await registry.SetAliasAsync("delay", "champion", version.Version);

        using var model = cairn.LoadModel("models:/delay@champion");
        var engine = model.CreateEngine<FlightInput, DelayPrediction>();
        var flight = _flights.Rows[42];
        var typed = engine.Predict(new FlightInput { Hour = flight.Hour, DayOfWeek = flight.DayOfWeek, Distance = flight.Distance, Origin = flight.Origin, Destination = flight.Destination });
        var byColumns = model.Predict(_flights.AsRow(flight));

        Assert.Equal("1", version.Version);
        Assert.Equal(runId, version.RunId);
        Assert.Equal("1", model.Version!.Version);
        Assert.Equal(typed.Score, (float)byColumns["Score"]!, 5);
        Assert.Equal(typed.PredictedLabel, byColumns["PredictedLabel"]);
        Assert.InRange(typed.Probability, 0, 1);
        using var byVersion = cairn.LoadModel("models:/delay/1");
        Assert.Equal(byColumns["Score"], byVersion.Predict(_flights.AsRow(flight))["Score"]);
    }

    [Fact]
    public async Task LoadModel_AModifiedByte_FailsNamingTheFile()
    {
        using var cairn = Open();
        var (_, logged) = LogModel(cairn);
        var version = await new ModelRegistry(cairn).RegisterAsync(logged.ModelUri, "delay");

        // Flip one byte of model.zip where the store keeps it (the content-addressed object).
        var store = (LocalArtifactStore)cairn.Artifacts;
        var (_, path) = await new ModelRegistry(cairn).ResolveAsync("models:/delay/1");
        var digest = store.DigestOf(path + "/model.zip")!;
        var blob = Path.Combine(store.Root, "objects", digest[..2], digest);
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(blob, bytes);

        var error = Assert.Throws<CairnException>(() => cairn.LoadModel($"models:/delay/{version.Version}"));
        Assert.Contains("'model.zip'", error.Message);
        Assert.Contains("does not match its recorded BLAKE3 digest", error.Message);
    }

    /// <summary>A logged package downloaded to a folder, its MLmodel rewritten by <paramref name="edit"/> and sealed again.</summary>
    private async Task<string> ResealedPackage(Func<string, string> edit)
    {
        using var cairn = Open();
        var (_, logged) = LogModel(cairn);
        var registry = new ModelRegistry(cairn);
        var (_, path) = await registry.ResolveAsync(logged.ModelUri);
        var folder = _folder.File("pkg");
        await registry.DownloadPackageAsync(path, folder);
        var text = edit(await File.ReadAllTextAsync(Path.Combine(folder, ModelManifest.FileName)));
        File.Delete(Path.Combine(folder, ModelPackage.DigestsFile));
        ModelPackage.Seal(folder, ModelManifest.Parse(text));
        return folder;
    }

    [Fact]
    public async Task Load_AModelPathOutOfThePackage_IsRefused()
    {
        var folder = await ResealedPackage(text => text.Replace("model_path: model.zip", "model_path: ../outside.zip"));
        File.Copy(Path.Combine(folder, "model.zip"), _folder.File("outside.zip"));

        var error = Assert.Throws<CairnException>(() => ModelLoading.Load(ModelPackage.Open(folder)));
        Assert.Contains("outside the package's folder", error.Message);
    }

    [Fact]
    public async Task Load_AModelFileAddedAfterSealing_IsRefused()
    {
        var folder = await ResealedPackage(text => text.Replace("model_path: model.zip", "model_path: late.zip"));
        File.Copy(Path.Combine(folder, "model.zip"), Path.Combine(folder, "late.zip")); // not covered by digests.json

        var error = Assert.Throws<CairnException>(() => ModelLoading.Load(ModelPackage.Open(folder)));
        Assert.Contains("'late.zip' is not in its digests.json", error.Message);
    }

    [Fact]
    public async Task Open_ADigestListNamingAFileOutOfThePackage_IsRefused()
    {
        var folder = await ResealedPackage(text => text);
        File.WriteAllText(_folder.File("secret.txt"), "not the package's");
        var digests = Path.Combine(folder, ModelPackage.DigestsFile);
        File.WriteAllText(digests, File.ReadAllText(digests).Replace("\"files\": {", $"\"files\": {{ \"../secret.txt\": \"{ModelPackage.Digest(_folder.File("secret.txt"))}\","));

        var error = Assert.Throws<CairnException>(() => ModelPackage.Open(folder));
        Assert.Contains("outside the package's folder", error.Message);
    }

    [Fact]
    public async Task Load_AFlavorWithoutItsModelPath_IsAClearError()
    {
        var folder = await ResealedPackage(text => text.Replace("model_path: model.zip", "other: model.zip"));

        var error = Assert.Throws<CairnException>(() => ModelLoading.Load(ModelPackage.Open(folder)));
        Assert.Contains("no 'model_path' for its 'mlnet' flavor", error.Message);
    }

    [Fact]
    public async Task Predict_MissingColumnOrWrongType_NamesTheField()
    {
        using var cairn = Open();
        var (_, logged) = LogModel(cairn);
        using var model = await cairn.LoadModelAsync(logged.ModelUri);
        var row = new Dictionary<string, object?>(_flights.AsRow(_flights.Rows[0]));

        row.Remove("Distance");
        Assert.Contains("Missing input 'Distance'", Assert.Throws<CairnException>(() => model.Predict(row)).Message);
        row["Distance"] = "far";
        Assert.Contains("input 'Distance'", Assert.Throws<CairnException>(() => model.Predict(row)).Message);
    }

    [Fact]
    public async Task LogOnnxModel_FromAFile_LoadsWithATensorSignatureAndPredictsTheSame()
    {
        using var cairn = Open();
        var logged = await DownloadPackageAsync(cairn);
        OnnxExport.AddOnnxFlavor(ModelPackage.Open(_folder.File("pkg")));

        LoggedModel onnxLogged;
        using (var run = cairn.StartRun("delay-onnx")) onnxLogged = run.LogOnnxModel("onnx-model", _folder.File("pkg/model.onnx"));
        using var model = await cairn.LoadModelAsync(onnxLogged.ModelUri);
        using var reference = await cairn.LoadModelAsync(logged.ModelUri);
        var row = _flights.AsRow(_flights.Rows[7]);

        Assert.Equal("onnx", model.Flavor);
        Assert.Contains(model.Signature.Inputs, c => c.Name == "Origin" && c.IsTensor && c.TensorType == "str");
        Assert.Equal((float)reference.Predict(row)["Score"]!, (float)model.Predict(row)["Score"]!, 4);
    }
}
