using Cairn.Models;
using Cairn.Registry;
using Cairn.Serving;

namespace Cairn.Deployments.Tests.Routing;

/// <summary>A model that scores a row X into a probability the test chooses (and may fail or be slow), so that each version is told apart by its answers.</summary>
public sealed class FakePredictor(Func<double, double> probability, TimeSpan? delay = null, bool fails = false) : IModelPredictor
{
    private int _disposed;
    private long _scored;

    public string Flavor => "test";
    public ModelSignature Signature { get; } = new([new ColumnSpec("X", "double")], [new ColumnSpec("probability", "double")]);
    public bool Disposed => Volatile.Read(ref _disposed) == 1;
    public long Scored => Interlocked.Read(ref _scored);

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        if (Disposed) throw new ObjectDisposedException("a retired model was called");
        if (fails) throw new InvalidOperationException("this model version is broken");
        if (delay is { } d) Thread.Sleep(d);
        Interlocked.Add(ref _scored, rows.Count);
        return rows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["probability"] = probability(Convert.ToDouble(r["X"] is System.Text.Json.JsonElement e ? e.GetDouble() : r["X"], System.Globalization.CultureInfo.InvariantCulture)),
        }).ToList();
    }

    public void Dispose() => Interlocked.Exchange(ref _disposed, 1);
}

/// <summary>
/// An embedded store (SQLite file) with registered versions of model <c>delay</c>, and fake
/// predictors per version, served through the real router and Kestrel.
/// </summary>
public sealed class FakeModels : IDisposable
{
    private readonly Cairn.Testing.TempFolder _folder = new();
    public Dictionary<string, FakePredictor> Predictors { get; } = [];
    public CairnClient Client { get; }

    public FakeModels()
    {
        Client = CairnClient.Open(_folder.File("store"));
        Client.Registry.CreateRegisteredModelAsync("delay").GetAwaiter().GetResult();
    }

    /// <summary>Registers the next version of <c>delay</c> with this predictor; returns its URI.</summary>
    public async Task<string> AddVersionAsync(FakePredictor predictor, double? auc = null)
    {
        string runId;
        using (var run = Client.StartRun("fake-models"))
        {
            runId = run.RunId;
            if (auc is { } value) run.LogMetric("auc", value);
        }
        var version = await Client.Registry.CreateModelVersionAsync(new NewModelVersion("delay", $"runs:/{runId}/model", runId));
        var uri = $"models:/delay/{version.Version}";
        Predictors[uri] = predictor;
        return uri;
    }

    public Task<ServedModel> LoadAsync(string uri, string servedName, CancellationToken ct) =>
        Task.FromResult(new ServedModel(servedName, ModelUri.Parse(uri).Version!, Predictors[uri]));

    public void Dispose()
    {
        Client.Dispose();
        _folder.Dispose();
    }
}
