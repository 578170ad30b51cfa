namespace Cairn.Models;

/// <summary>A loaded model that scores rows of named values, whatever its flavor.</summary>
public interface IModelPredictor : IDisposable
{
    /// <summary>The package flavor the model was loaded from (<c>mlnet</c> or <c>onnx</c>).</summary>
    string Flavor { get; }
    /// <summary>The inputs the model requires and the outputs <see cref="Predict"/> returns.</summary>
    ModelSignature Signature { get; }

    /// <summary>Scores rows; each result row maps the signature's outputs to values.</summary>
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows);
}
