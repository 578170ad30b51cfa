namespace Cairn.Models.Explain;

/// <summary>
/// The weighted least squares behind KernelSHAP with the efficiency constraint built in: the last
/// player's value is eliminated as (f(x) - base) minus the others, so attributions always add up
/// to the output, whatever the sample.
/// </summary>
internal static class KernelShapRegression
{
    /// <summary>SHAP values from coalition values, and their delete-a-batch jackknife standard errors (zero for an exact enumeration).</summary>
    /// <param name="players">How many players (features) there are; one player has no coalition to evaluate.</param>
    /// <param name="coalitions">The coalitions evaluated.</param>
    /// <param name="values">Per coalition: the mean model output with its members taken from the explained row.</param>
    /// <param name="baseValue">The value of the empty coalition.</param>
    /// <param name="output">The value of the full coalition (the model's output for the row).</param>
    /// <param name="exact">Whether <paramref name="coalitions"/> are all of them (no sampling error).</param>
    public static (double[] Values, double[] StandardErrors) Solve(int players, IReadOnlyList<Coalition> coalitions, IReadOnlyList<double> values, double baseValue, double output, bool exact)
    {
        var delta = output - baseValue;
        if (players == 1) return ([delta], [0]);
        var n = players - 1;
        var batches = exact ? 1 : coalitions.Max(c => c.Batch) + 1;
        var a = new double[batches][,];
        var b = new double[batches][];
        for (var k = 0; k < batches; k++) { a[k] = new double[n, n]; b[k] = new double[n]; }
        var x = new double[n];
        for (var c = 0; c < coalitions.Count; c++)
        {
            var (members, weight, batch) = (coalitions[c].Members, coalitions[c].Weight, exact ? 0 : coalitions[c].Batch);
            var last = members[n] ? 1.0 : 0.0;
            for (var j = 0; j < n; j++) x[j] = (members[j] ? 1.0 : 0.0) - last;
            var y = values[c] - baseValue - last * delta;
            var (ak, bk) = (a[batch], b[batch]);
            for (var i = 0; i < n; i++)
            {
                if (x[i] == 0) continue;
                bk[i] += weight * x[i] * y;
                for (var j = 0; j < n; j++) ak[i, j] += weight * x[i] * x[j];
            }
        }
        var (fullA, fullB) = Sum(a, b, n, skip: -1);
        var shap = Complete(SolveLinear(fullA, fullB), delta);
        var errors = new double[players];
        if (batches < 2) return (shap, errors);
        // Delete-a-batch jackknife: the spread of the estimates that leave one batch out.
        var partial = Enumerable.Range(0, batches).Select(k =>
        {
            var (ak, bk) = Sum(a, b, n, skip: k);
            return Complete(SolveLinear(ak, bk), delta);
        }).ToList();
        for (var j = 0; j < players; j++)
        {
            var mean = partial.Average(p => p[j]);
            errors[j] = Math.Sqrt((batches - 1.0) / batches * partial.Sum(p => (p[j] - mean) * (p[j] - mean)));
        }
        return (shap, errors);
    }

    private static double[] Complete(double[] others, double delta) => [.. others, delta - others.Sum()];

    private static (double[,] A, double[] B) Sum(double[][,] a, double[][] b, int n, int skip)
    {
        var sumA = new double[n, n];
        var sumB = new double[n];
        for (var k = 0; k < a.Length; k++)
        {
            if (k == skip) continue;
            for (var i = 0; i < n; i++)
            {
                sumB[i] += b[k][i];
                for (var j = 0; j < n; j++) sumA[i, j] += a[k][i, j];
            }
        }
        return (sumA, sumB);
    }

    /// <summary>
    /// Gaussian elimination with partial pivoting. A ridge of 1e-10 of the mean diagonal keeps a
    /// sample that missed a player solvable (that player then gets the share the constraint leaves).
    /// </summary>
    private static double[] SolveLinear(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = (double[,])a.Clone();
        var r = (double[])b.Clone();
        var trace = 0.0;
        for (var i = 0; i < n; i++) trace += m[i, i];
        var ridge = 1e-10 * Math.Max(trace / n, 1e-300);
        for (var i = 0; i < n; i++) m[i, i] += ridge;
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var row = col + 1; row < n; row++)
                if (Math.Abs(m[row, col]) > Math.Abs(m[pivot, col])) pivot = row;
            if (pivot != col)
            {
                for (var j = 0; j < n; j++) (m[col, j], m[pivot, j]) = (m[pivot, j], m[col, j]);
                (r[col], r[pivot]) = (r[pivot], r[col]);
            }
            var p = m[col, col];
            if (p == 0) continue;
            for (var row = col + 1; row < n; row++)
            {
                var f = m[row, col] / p;
                if (f == 0) continue;
                for (var j = col; j < n; j++) m[row, j] -= f * m[col, j];
                r[row] -= f * r[col];
            }
        }
        var solution = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var s = r[i];
            for (var j = i + 1; j < n; j++) s -= m[i, j] * solution[j];
            solution[i] = m[i, i] == 0 ? 0 : s / m[i, i];
        }
        return solution;
    }
}
