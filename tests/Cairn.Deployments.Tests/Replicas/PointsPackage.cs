using Cairn.Deployments.Replicas;
using Cairn.Models;
using Cairn.Serving;
using Cairn.Testing;
using Microsoft.ML;

namespace Cairn.Deployments.Tests.Replicas;

/// <summary>
/// A small ML.NET model as a package folder (what <c>cairn serve &lt;folder&gt;</c> serves), the
/// same model loaded in this process, and a launcher that runs the real CLI (<c>dotnet cairn.dll</c>).
/// Built once for the tests of a class.
/// </summary>
public sealed class PointsPackage : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    public string Folder => _folder.File("pkg");

    /// <summary>A multiclass model whose outputs are a key (uint) and a vector of scores (float[]).</summary>
    public string ClassesFolder => _folder.File("pkg-classes");
    public string Store => _folder.File("store");
    public List<ColoredPoint> Points { get; } = ColoredPoint.Generate(300, seed: 7);
    public ServedModel Model { get; private set; } = null!;
    public ServedModel ClassesModel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var ml = new MLContext(seed: 7);
        var data = ml.Data.LoadFromEnumerable(Points);
        var trained = ml.Transforms.Categorical.OneHotEncoding("ColorCode", "Color")
            .Append(ml.Transforms.Concatenate("Features", "X", "Y", "ColorCode"))
            .Append(ml.BinaryClassification.Trainers.FastTree("Label", numberOfLeaves: 8, numberOfTrees: 20)).Fit(data);
        using var cairn = CairnClient.Open(Store);
        string uri;
        using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, trained, data.Schema, Points.Take(2).ToList(), labelColumn: "Label").ModelUri;
        var registry = new ModelRegistry(cairn);
        var (_, path) = await registry.ResolveAsync(uri);
        await registry.DownloadPackageAsync(path, Folder);
        Model = new ServedModel("points", "1", ModelLoading.Load(ModelPackage.Open(Folder)));

        // The color as a key label, mapped outside the saved model: its PredictedLabel stays a key.
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", "Color").Fit(data).Transform(data);
        var classes = ml.Transforms.Concatenate("Features", "X", "Y")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", maximumNumberOfIterations: 10)).Fit(keyed);
        using (var run = cairn.StartRun("points")) uri = run.LogModel("model", ml, classes, keyed.Schema, labelColumn: "Label").ModelUri;
        (_, path) = await registry.ResolveAsync(uri);
        await registry.DownloadPackageAsync(path, ClassesFolder);
        ClassesModel = new ServedModel("points", "1", ModelLoading.Load(ModelPackage.Open(ClassesFolder)));
    }

    /// <summary>Runs <c>dotnet cairn.dll serve &lt;folder&gt; ... --name points --version 1</c>, with its own store.</summary>
    public ProcessReplicaLauncher Launcher() => new("dotnet", [CairnDll],
        new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = Store }, ["--name", "points", "--version", "1"]);

    public static string CairnDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "cairn.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("cairn.dll is not beside the tests; the test project references Cairn.Cli.", dll);
        }
    }

    /// <summary>Rows as the router gets them from an MLflow JSON body (JSON values) and as an SDK caller builds them (CLR values).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> JsonRows(int count) =>
        Points.Take(count).Select(p => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["X"] = System.Text.Json.JsonSerializer.SerializeToElement(p.X),
            ["Y"] = System.Text.Json.JsonSerializer.SerializeToElement(p.Y),
            ["Color"] = System.Text.Json.JsonSerializer.SerializeToElement(p.Color),
        }).ToList();

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> ClrRows(int count) =>
        Points.Skip(count).Take(count).Select(p => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["X"] = p.X, ["Y"] = p.Y, ["Color"] = p.Color,
        }).ToList();

    public async Task DisposeAsync()
    {
        if (Model is not null) await Model.DisposeAsync();
        if (ClassesModel is not null) await ClassesModel.DisposeAsync();
        _folder.Dispose();
    }
}
