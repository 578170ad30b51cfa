using Cairn.Models;

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

    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> PredictAsync(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) =>
        Batcher is { } batcher ? batcher.PredictAsync(rows) : Task.FromResult(Predictor.Predict(rows));

    public async ValueTask DisposeAsync()
    {
        if (Batcher is not null) await Batcher.DisposeAsync().ConfigureAwait(false); // finishes what is queued
        Predictor.Dispose();
    }
}

/// <summary>
/// Holds the served model. A new version is loaded beside the old one and swapped in with one
/// reference assignment; the old one is disposed only after a grace period, so requests in
/// flight finish on the model they started with and none fails.
/// </summary>
public sealed class ModelHost(ServedModel model) : IAsyncDisposable
{
    private volatile ServedModel _current = model;

    public ServedModel Current => _current;

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
