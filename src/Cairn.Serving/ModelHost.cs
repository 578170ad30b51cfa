using Cairn.Models;

namespace Cairn.Serving;

/// <summary>The model being served: its name on the protocol routes, its version, and the loaded predictor.</summary>
public sealed record ServedModel(string Name, string Version, IModelPredictor Predictor) : IDisposable
{
    public void Dispose() => Predictor.Dispose();
}

/// <summary>
/// Holds the served model. A new version is loaded beside the old one and swapped in with one
/// reference assignment, so requests in flight finish on the model they started with.
/// </summary>
public sealed class ModelHost : IDisposable
{
    private volatile ServedModel _current;

    public ModelHost(ServedModel model) => _current = model;

    public ServedModel Current => _current;

    /// <summary>Serves <paramref name="next"/> from now on; returns the model it replaced (the caller disposes it once drained).</summary>
    public ServedModel Swap(ServedModel next) => Interlocked.Exchange(ref _current, next);

    public void Dispose() => _current.Dispose();
}
