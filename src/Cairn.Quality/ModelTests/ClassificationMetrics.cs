namespace Cairn.Quality.ModelTests;

/// <summary>Binary classification metrics over scored, labelled rows.</summary>
public static class ClassificationMetrics
{
    /// <summary>
    /// The area under the ROC curve: the chance that a random positive scores above a random
    /// negative (ties count half), by the rank-sum formula. NaN when a class is absent.
    /// </summary>
    public static double Auc(IReadOnlyList<(float Score, bool Label)> rows)
    {
        long positives = rows.Count(r => r.Label), negatives = rows.Count - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        var sorted = rows.OrderBy(r => r.Score).ToList();
        double positiveRanks = 0;
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j < sorted.Count && sorted[j].Score.Equals(sorted[i].Score)) j++;
            var averageRank = (i + 1 + j) / 2.0; // ranks i+1..j share their mean
            for (var k = i; k < j; k++)
                if (sorted[k].Label) positiveRanks += averageRank;
            i = j;
        }
        return (positiveRanks - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    public static double Accuracy(IReadOnlyList<(bool Predicted, bool Label)> rows) =>
        rows.Count == 0 ? double.NaN : (double)rows.Count(r => r.Predicted == r.Label) / rows.Count;
}
