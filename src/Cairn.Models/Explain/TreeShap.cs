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
    /// <exception cref="CairnException">No background, a row or background row shorter than the feature vector, or a grouping that does not fit the ensemble.</exception>
    public static (double BaseValue, double[][] Values) Interventional(TreeEnsemble ensemble, IReadOnlyList<float[]> rows, IReadOnlyList<float[]> background, int[] groupOf, int groups)
    {
        TreeShapInput.CheckEnsemble(ensemble);
        TreeShapInput.CheckGroups(groupOf, groups, ensemble.FeatureCount);
        TreeShapInput.CheckRows(rows, ensemble.FeatureCount, "Row");
        ArgumentNullException.ThrowIfNull(background);
        if (background.Count == 0) throw CairnException.InvalidParameter("Interventional TreeSHAP needs at least one background row.");
        TreeShapInput.CheckRows(background, ensemble.FeatureCount, "Background row");
        var explainer = new InterventionalTreeShap(ensemble, background, groupOf, groups);
        return (explainer.BaseValue, explainer.Explain(rows));
    }

    /// <summary>
    /// Path-dependent TreeSHAP (the game of Lundberg et al. 2018, computed per leaf as in Fast TreeSHAP v2):
    /// missing features are integrated out along the trees with the node covers as weights. Needs <see cref="TreeEnsemble.HasCovers"/>.
    /// Values are computed per vector slot and summed per group. Below a node of cover 0 both
    /// children weigh 0 (no data reached it, so it adds nothing to an expectation).
    /// </summary>
    /// <returns>The base value (the cover-weighted mean output) and per row, per group, the SHAP value.</returns>
    /// <exception cref="CairnException">The ensemble has no covers, a row is shorter than the feature vector, or the grouping does not fit.</exception>
    public static (double BaseValue, double[][] Values) PathDependent(TreeEnsemble ensemble, IReadOnlyList<float[]> rows, int[] groupOf, int groups)
    {
        TreeShapInput.CheckEnsemble(ensemble);
        TreeShapInput.CheckCovers(ensemble);
        TreeShapInput.CheckGroups(groupOf, groups, ensemble.FeatureCount);
        TreeShapInput.CheckRows(rows, ensemble.FeatureCount, "Row");
        var explainer = new PathDependentTreeShap(ensemble, groupOf, groups);
        return (explainer.BaseValue, explainer.Explain(rows));
    }

    /// <summary>The share of a node's cover that reaches <paramref name="child"/>: 0 below a node no data reached.</summary>
    internal static double CoverFraction(double[] cover, int node, int child) => cover[node] > 0 ? cover[child] / cover[node] : 0;
}
