namespace Cairn.Models.Explain;

/// <summary>A coalition of players (input columns), its weight in the regression, and the batch its standard error groups it into.</summary>
internal sealed record Coalition(bool[] Members, double Weight, int Batch);

/// <summary>The coalitions KernelSHAP evaluates: all of them when few enough, else a paired sample drawn from the Shapley kernel.</summary>
internal static class KernelShapCoalitions
{
    /// <summary>Batches the sampled pairs are dealt into for the jackknife standard error.</summary>
    public const int Batches = 10;

    /// <summary>Whether every proper, non-empty coalition of <paramref name="players"/> fits in <paramref name="samples"/>.</summary>
    public static bool IsExact(int players, int samples) => players < 31 && (1L << players) - 2 <= samples;

    /// <summary>
    /// Every coalition except the empty and the full one, with the Shapley kernel weight
    /// (M-1) / (C(M,s) s (M-s)); the weighted least squares over them gives exact Shapley values.
    /// </summary>
    public static List<Coalition> All(int players)
    {
        var all = new List<Coalition>((1 << players) - 2);
        for (var mask = 1; mask < (1 << players) - 1; mask++)
        {
            var members = new bool[players];
            var size = 0;
            for (var j = 0; j < players; j++)
                if ((mask & (1 << j)) != 0) { members[j] = true; size++; }
            all.Add(new Coalition(members, (players - 1) / (Binomial(players, size) * size * (players - size)), 0));
        }
        return all;
    }

    /// <summary>
    /// About <paramref name="samples"/> coalitions in complementary pairs: a size s drawn with
    /// probability proportional to the kernel's total weight of that size, 1 / (s (M-s)), then a
    /// uniform subset of that size and its complement. Drawn from the kernel, every coalition
    /// weighs the same; pairing cancels the first-order sampling noise of the two sides.
    /// </summary>
    public static List<Coalition> Sample(int players, int samples, Random random)
    {
        var sizeWeights = Enumerable.Range(1, players - 1).Select(s => 1.0 / (s * (players - s))).ToArray();
        var total = sizeWeights.Sum();
        var pairs = Math.Max(2, samples / 2);
        var order = Enumerable.Range(0, players).ToArray();
        var drawn = new List<Coalition>(2 * pairs);
        for (var p = 0; p < pairs; p++)
        {
            var size = DrawSize(sizeWeights, total, random);
            // A partial Fisher-Yates shuffle: the first `size` slots are a uniform subset.
            for (var i = 0; i < size; i++)
            {
                var k = random.Next(i, players);
                (order[i], order[k]) = (order[k], order[i]);
            }
            var members = new bool[players];
            for (var i = 0; i < size; i++) members[order[i]] = true;
            var batch = p % Batches;
            drawn.Add(new Coalition(members, 1, batch));
            drawn.Add(new Coalition(members.Select(m => !m).ToArray(), 1, batch));
        }
        return drawn;
    }

    private static int DrawSize(double[] sizeWeights, double total, Random random)
    {
        var u = random.NextDouble() * total;
        for (var s = 0; s < sizeWeights.Length; s++)
        {
            u -= sizeWeights[s];
            if (u < 0) return s + 1;
        }
        return sizeWeights.Length;
    }

    private static double Binomial(int n, int k)
    {
        double result = 1;
        for (var i = 1; i <= k; i++) result = result * (n - k + i) / i;
        return result;
    }
}
