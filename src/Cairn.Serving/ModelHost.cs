using Cairn.Models;
using Cairn.Models.Explain;
using Microsoft.AspNetCore.Http;

namespace Cairn.Serving;

/// <summary>
/// The model being served: its name on the protocol routes, its version, the loaded predictor,
/// and (for ONNX) the micro-batcher in front of it.
/// </summary>
public sealed class ServedModel(string name, string version, IModelPredictor predictor, BatchingOptions? batching = null) : IAsyncDisposable
{
    public string Name { get; } = name;
    public string Version { get; } = version;
    public IModelPredictor Predictor { get; } = predictor;
    public ModelBatcher? Batcher { get; } = batching is null ? null : new ModelBatcher(predictor, batching);

    /// <summary>Where rows are scored instead of here (an endpoint variant's replicas); null: by this process's predictor.</summary>
    public Func<IReadOnlyList<IReadOnlyDictionary<string, object?>>, CancellationToken, Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>>>? Dispatch { get; init; }

    /// <summary>Adds online features to each request row before scoring (<c>--feature-service</c>); null: rows are scored as sent.</summary>
    public OnlineFeatureEnricher? Features { get; init; }

    /// <summary>False when another <see cref="ServedModel"/> shares the predictor and disposes it.</summary>
    public bool OwnsPredictor { get; init; } = true;

    /// <summary>Explains this model's predictions on the explain routes; null: explanations are off. Owned: disposed with the model.</summary>
    public IModelExplainer? Explainer { get; init; }

    /// <summary>Share (0 to 1) of logged requests also explained behind the request path, their SHAP values logged as extra outputs.</summary>
    public double ExplainLogRate
    {
        get => _explainLogRate;
        init => _explainLogRate = value is >= 0 and <= 1 ? value : throw CairnException.InvalidParameter($"The explanation logging rate must be between 0 and 1, got {value}.");
    }

    private readonly double _explainLogRate;

    /// <summary>1 while a logged request is being explained in the background (one at a time: explanations never queue up).</summary>
    internal int LoggedExplanationRunning;

    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> PredictAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken ct = default) =>
        Dispatch is { } dispatch ? dispatch(rows, ct)
        : Batcher is { } batcher ? batcher.PredictAsync(rows) : Task.FromResult(Predictor.Predict(rows));

    public async ValueTask DisposeAsync()
    {
        if (Batcher is not null) await Batcher.DisposeAsync().ConfigureAwait(false); // finishes what is queued
        if (OwnsPredictor) Predictor.Dispose();
        Explainer?.Dispose();
    }
}

/// <summary>
/// Holds the served model. A new version is loaded beside the old one and swapped in with one
/// reference assignment; the old one is disposed only after a grace period, so requests in
/// flight finish on the model they started with and none fails.
/// </summary>
public sealed class ModelHost(ServedModel model) : IServingTarget, IAsyncDisposable
{
    private volatile ServedModel _current = model;

    public ServedModel Current => _current;

    public string Name => _current.Name;

    public IReadOnlyList<ServedModel> Models => [_current];

    public ServedModel Choose(HttpContext http, string? version) => _current;

    public event Action<ServedModel>? Swapped;

    public async Task SwapAsync(ServedModel next, TimeSpan grace)
    {
        var previous = Interlocked.Exchange(ref _current, next);
        Swapped?.Invoke(next);
        await Task.Delay(grace).ConfigureAwait(false);
        await previous.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _current.DisposeAsync();
}
