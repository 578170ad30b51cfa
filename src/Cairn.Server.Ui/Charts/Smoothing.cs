namespace Cairn.Server.Ui.Charts;

/// <summary>Exponential moving average as TensorBoard draws it: debiased, so the start is not pulled towards zero.</summary>
public static class Smoothing
{
    /// <param name="weight">0 leaves the series as it is; 0.99 smooths hardest.</param>
    public static IReadOnlyList<SeriesPoint> Apply(IReadOnlyList<SeriesPoint> points, double weight)
    {
        if (weight <= 0 || points.Count < 2) return points;
        weight = Math.Min(weight, 0.999);
        var result = new SeriesPoint[points.Count];
        double last = 0;
        var count = 0;
        for (var i = 0; i < points.Count; i++)
        {
            var y = points[i].Y;
            if (!double.IsFinite(y))
            {
                result[i] = points[i];
                continue;
            }
            last = last * weight + (1 - weight) * y;
            count++;
            result[i] = points[i] with { Y = last / (1 - Math.Pow(weight, count)) };
        }
        return result;
    }
}
