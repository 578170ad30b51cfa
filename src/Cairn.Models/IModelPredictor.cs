namespace Cairn.Models;

/// <summary>A loaded model that scores rows of named values, whatever its flavor.</summary>
public interface IModelPredictor : IDisposable
{
    string Flavor { get; }
    ModelSignature Signature { get; }

    /// <summary>Scores rows; each result row maps the signature's outputs to values.</summary>
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows);
}
