namespace Cairn.Models.Explain;

/// <summary>
/// Shapley values by their definition: every coalition's value, then each player's weighted
/// marginal contributions. Exponential in the players (2^n evaluations), so only for small games:
/// the reference TreeSHAP is tested and benchmarked against.
/// </summary>
public static class BruteForceShapley
{
    /// <summary>Most players <see cref="Explain"/> takes (2^20 coalitions).</summary>
    public const int MaxPlayers = 20;

    /// <summary>The exact Shapley value of each player of a game.</summary>
    /// <param name="value">A coalition's value; its argument says per player whether it is in the coalition (a fresh array per call).</param>
    /// <param name="players">How many players (at most <see cref="MaxPlayers"/>).</param>
    /// <exception cref="CairnException">More players than <see cref="MaxPlayers"/>, or fewer than none.</exception>
    public static double[] Explain(Func<bool[], double> value, int players)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (players is < 0 or > MaxPlayers)
            throw CairnException.InvalidParameter($"Brute-force Shapley values take 0 to {MaxPlayers} players, not {players} (2^players coalitions are evaluated).");
        var coalitions = 1 << players;
        var worth = new double[coalitions];
        for (var s = 0; s < coalitions; s++)
        {
            var members = new bool[players];
            for (var p = 0; p < players; p++) members[p] = (s & (1 << p)) != 0;
            worth[s] = value(members);
        }
        // A coalition of size k without player i weighs k! (n-k-1)! / n!.
        var weight = new double[Math.Max(players, 1)];
        for (var k = 0; k < players; k++) weight[k] = 1 / (players * Binomial(players - 1, k));
        var phi = new double[players];
        for (var s = 0; s < coalitions; s++)
        {
            var size = System.Numerics.BitOperations.PopCount((uint)s);
            for (var p = 0; p < players; p++)
                if ((s & (1 << p)) == 0) phi[p] += weight[size] * (worth[s | (1 << p)] - worth[s]);
        }
        return phi;
    }

    /// <summary>
    /// The interventional game of one row: a coalition's value is the mean over the background of the
    /// ensemble on the row that takes the coalition's groups from <paramref name="row"/> and the rest from the background row.
    /// </summary>
    /// <param name="ensemble">The trees.</param>
    /// <param name="row">The row explained.</param>
    /// <param name="background">Background rows (at least one).</param>
    /// <param name="groupOf">Per feature slot: its player.</param>
    public static Func<bool[], double> InterventionalValue(TreeEnsemble ensemble, float[] row, IReadOnlyList<float[]> background, int[] groupOf)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        if (background.Count == 0) throw CairnException.InvalidParameter("The interventional game needs at least one background row.");
        return inCoalition =>
        {
            var hybrid = new float[ensemble.FeatureCount];
            var sum = 0.0;
            foreach (var b in background)
            {
                for (var f = 0; f < hybrid.Length; f++) hybrid[f] = inCoalition[groupOf[f]] ? row[f] : b[f];
                sum += ensemble.Predict(hybrid);
            }
            return sum / background.Count;
        };
    }

    /// <summary>
    /// The path-dependent game of one row: a coalition's value is each tree's expectation that follows
    /// <paramref name="row"/> at splits on the coalition's groups and weighs both children by cover
    /// elsewhere (as <see cref="TreeShap.PathDependent"/>: nothing below a node of cover 0).
    /// </summary>
    /// <param name="ensemble">The trees, with covers.</param>
    /// <param name="row">The row explained.</param>
    /// <param name="groupOf">Per feature slot: its player.</param>
    public static Func<bool[], double> PathDependentValue(TreeEnsemble ensemble, float[] row, int[] groupOf)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        if (!ensemble.HasCovers) throw CairnException.InvalidParameter("The path-dependent game needs node covers.");
        return inCoalition =>
        {
            var sum = ensemble.BaseValue;
            foreach (var tree in ensemble.Trees) sum += Expectation(tree, 0, row, groupOf, inCoalition);
            return sum;
        };
    }

    private static double Expectation(DecisionTree tree, int node, float[] row, int[] groupOf, bool[] inCoalition)
    {
        var feature = tree.Feature[node];
        if (feature < 0) return tree.Value[node];
        var (yes, no) = (tree.TrueChild[node], tree.FalseChild[node]);
        if (inCoalition[groupOf[feature]]) return Expectation(tree, tree.GoesTrue(node, row[feature]) ? yes : no, row, groupOf, inCoalition);
        var cover = tree.Cover!;
        var (yesShare, noShare) = (TreeShap.CoverFraction(cover, node, yes), TreeShap.CoverFraction(cover, node, no));
        return (yesShare == 0 ? 0 : yesShare * Expectation(tree, yes, row, groupOf, inCoalition))
            + (noShare == 0 ? 0 : noShare * Expectation(tree, no, row, groupOf, inCoalition));
    }

    private static double Binomial(int n, int k)
    {
        var result = 1.0;
        for (var i = 1; i <= k; i++) result = result * (n - k + i) / i;
        return result;
    }
}
