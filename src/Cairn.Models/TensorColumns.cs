namespace Cairn.Models;

/// <summary>A predictor that also scores whole columns, for large batches.</summary>
public interface IColumnPredictor
{
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the input that is missing or of the wrong type or width.</exception>
    IReadOnlyList<TensorColumn> PredictColumns(IReadOnlyList<TensorColumn> inputs, int rows);
}
