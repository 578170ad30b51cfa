namespace Cairn.Models.Explain;

/// <summary>Explains a loaded model's predictions for rows of named input values (the same rows <see cref="IModelPredictor.Predict"/> takes).</summary>
public interface IModelExplainer : IDisposable
{
    /// <summary>One of <see cref="ExplainMethods"/>.</summary>
    string Method { get; }
    /// <summary>The input columns attributions are given for.</summary>
    IReadOnlyList<string> Features { get; }

    /// <summary>SHAP values for the rows.</summary>
    /// <exception cref="CairnException">A row lacks an input, or has a value of the wrong type.</exception>
    Explanation Explain(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows);
}
