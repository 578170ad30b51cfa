namespace Cairn.Models.Explain;

/// <summary>Exact SHAP values of a <see cref="TreeEnsemble"/>'s raw output, with features grouped into players.</summary>
public static class TreeShap
{
    /// <summary>
    /// Interventional TreeSHAP: the value of a coalition S is the mean over background rows b of the
    /// ensemble on the row that takes the features of S's groups from x and the others from b.
    /// </summary>
    /// <param name="ensemble">The trees.</param>
    /// <param name="rows">Feature vectors to explain.</param>
    /// <param name="background">Feature vectors of the background sample (at least one).</param>
    /// <param name="groupOf">Per feature (vector slot): the player it belongs to (an input column), in 0..groups-1; slots of one group move together.</param>
    /// <param name="groups">How many players.</param>
    /// <returns>The base value (the mean output over the background) and per row, per group, the SHAP value.</returns>
    public static (double BaseValue, double[][] Values) Interventional(TreeEnsemble ensemble, IReadOnlyList<float[]> rows, IReadOnlyList<float[]> background, int[] groupOf, int groups) =>
        throw new NotImplementedException();

    /// <summary>
    /// Path-dependent TreeSHAP (Lundberg et al., Algorithm 2): missing features are integrated out
    /// along the trees with the node covers as weights. Needs <see cref="TreeEnsemble.HasCovers"/>.
    /// Values are computed per vector slot and summed per group.
    /// </summary>
    /// <returns>The base value (the cover-weighted mean output) and per row, per group, the SHAP value.</returns>
    public static (double BaseValue, double[][] Values) PathDependent(TreeEnsemble ensemble, IReadOnlyList<float[]> rows, int[] groupOf, int groups) =>
        throw new NotImplementedException();
}
