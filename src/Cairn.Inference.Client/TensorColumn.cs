namespace Cairn.Models;

/// <summary>
/// One named input or output of a batch as a typed array (float[], double[], long[], int[],
/// bool[] or string[]) of rows × <see cref="Width"/> values, row-major: what the Open Inference
/// Protocol sends and what ONNX Runtime takes, with no dictionary per row in between.
/// </summary>
public sealed record TensorColumn(string Name, Array Values, int Width)
{
    /// <summary>The number of rows: the value count over <see cref="Width"/>; 0 when the width is 0.</summary>
    public int Rows => Width == 0 ? 0 : Values.Length / Width;
}
