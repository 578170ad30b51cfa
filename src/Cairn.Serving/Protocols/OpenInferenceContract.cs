using Cairn.Models;

namespace Cairn.Serving.Protocols;

/// <summary>
/// What the model's metadata (<c>GET /v2/models/{name}</c>) promises, enforced on the infer route:
/// each input's datatype and shape are checked against the signature before any value is read
/// (as Triton does: a wrong datatype or shape is a 400 naming the input, never a model failure),
/// and each output's shape is its declared shape with the batch dimension filled in.
/// </summary>
public static class OpenInferenceContract
{
    /// <summary>
    /// Checks one input tensor's header against the signature. An input the signature does not
    /// name, or a datatype that is no OIP datatype, is left to the checks that follow (which name them).
    /// Trailing dimensions of 1 may be left out or added (<c>[n]</c> for a <c>[-1, 1]</c> input,
    /// <c>[n, 1]</c> for a <c>[-1]</c> column): both say one value per row.
    /// </summary>
    public static void CheckInput(ModelSignature signature, string name, long[] shape, string? datatype)
    {
        var column = signature.Inputs.FirstOrDefault(c => c.Name == name);
        if (column is null) return;
        var expected = OpenInference.Describe(column);
        if (datatype is not null && OpenInferenceDatatypes.IsDatatype(datatype) && datatype != expected.Datatype)
            throw CairnException.InvalidParameter(
                $"Input '{name}' has datatype {datatype}, but the model expects {expected.Datatype}: send its data as {expected.Datatype} (see GET /v2/models/<name> for each input's datatype and shape).");
        if (!Fits(shape, expected.Shape))
            throw CairnException.InvalidParameter(
                $"Input '{name}' has shape {Format(shape)}, but the model expects {Format(expected.Shape)} (-1: any size; the first dimension is the batch).");
    }

    /// <summary>Whether a request's shape fits a declared one: same dimensions once trailing 1s are dropped, -1 (any) matching any size.</summary>
    private static bool Fits(long[] given, long[] declared)
    {
        var g = TrimTrailingOnes(given);
        var d = TrimTrailingOnes(declared);
        if (g.Length != d.Length) return false;
        for (var i = 0; i < g.Length; i++)
            if (d[i] >= 0 && d[i] != g[i]) return false;
        return true;
    }

    /// <summary>The shape without its trailing dimensions of 1, keeping the first (batch) dimension.</summary>
    private static ReadOnlySpan<long> TrimTrailingOnes(long[] shape)
    {
        var length = shape.Length;
        while (length > 1 && shape[length - 1] == 1) length--;
        return shape.AsSpan(0, length);
    }

    /// <summary>
    /// How many elements a shape holds (its dimensions multiplied); a 400 when a dimension is
    /// negative or the product passes what one array can hold, so a hostile shape never reaches an allocation.
    /// </summary>
    public static long ElementCount(string name, long[] shape)
    {
        var count = 1L;
        foreach (var d in shape)
        {
            if (d < 0) throw CairnException.InvalidParameter($"Input tensor '{name}' needs a 'shape' of non-negative dimensions, batch first; got {Format(shape)}.");
            if (d != 0 && count > Array.MaxLength / d)
                throw CairnException.InvalidParameter($"Input tensor '{name}' has shape {Format(shape)}: more than {Array.MaxLength} elements, which no request can carry.");
            count *= d;
        }
        // A row needs a value: [10^9, 0] carries nothing, yet would size a billion rows.
        if (count == 0 && shape.Length > 1 && shape[0] > 0)
            throw CairnException.InvalidParameter($"Input tensor '{name}' has shape {Format(shape)}: its rows hold no values.");
        return count;
    }

    /// <summary>
    /// Gives each output the shape its metadata declares, the batch dimension (and one other
    /// dynamic dimension, if any) filled in from the values: a <c>[-1, 1]</c> output of two rows is
    /// <c>[2, 1]</c>. An output whose values do not fit its declared shape keeps the shape they have.
    /// </summary>
    public static IReadOnlyList<OutputTensor> WithDeclaredShapes(IReadOnlyList<OutputTensor> tensors, ModelSignature signature, int rows)
    {
        if (signature.Outputs.Count == 0) return tensors;
        var result = new List<OutputTensor>(tensors.Count);
        foreach (var tensor in tensors)
        {
            var column = signature.Outputs.FirstOrDefault(c => c.Name == tensor.Name);
            var shape = column is null ? null : Declared(OpenInference.Describe(column).Shape, rows, tensor.Data.Length);
            result.Add(shape is null ? tensor : tensor with { Shape = shape });
        }
        return result;
    }

    /// <summary>The declared shape with its first dimension the rows and at most one other -1 solved for; null when the values do not fit it.</summary>
    private static long[]? Declared(long[] declared, int rows, long elements)
    {
        if (declared.Length == 0) return null;
        var shape = (long[])declared.Clone();
        if (shape[0] < 0) shape[0] = rows;
        var unknown = -1;
        var known = 1L;
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] >= 0) { known *= shape[i]; continue; }
            if (unknown >= 0) return null; // two dynamic dimensions besides the batch: the values cannot say which is which
            unknown = i;
        }
        if (unknown >= 0)
        {
            if (known == 0 || elements % known != 0) return null;
            shape[unknown] = elements / known;
            known = elements;
        }
        return known == elements ? shape : null;
    }

    private static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";
}
