using Cairn.Server.Ui.Charts;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Tests;

/// <summary>Downsampling, smoothing, scaling and parallel coordinates: the chart code the pages rely on.</summary>
public sealed class ChartTests
{
    private static List<SeriesPoint> Line(int count, Func<int, double> y) => Enumerable.Range(0, count).Select(i => new SeriesPoint(i, y(i))).ToList();

    [Fact]
    public void ChartAxis_100kPoints_PlacesAtMostAThousandValuesAndKeepsTheExtremes()
    {
        var points = Line(100_000, i => Math.Sin(i / 1000.0) + (i == 54_321 ? 50 : 0) - (i == 12_345 ? 50 : 0));
        var axis = ChartAxis.For([points], maxSlots: 1000);
        var values = axis.Place(points);

        Assert.True(axis.IsBucketed);
        Assert.Equal(1000, values.Length);
        Assert.Equal(points.Max(p => p.Y), values.Max());
        Assert.Equal(points.Min(p => p.Y), values.Min());
    }

    [Fact]
    public void ChartAxis_MinAndMaxOfABucket_KeepTheirOrderInX()
    {
        // Falling inside one bucket: the max comes first, so it must be drawn first.
        List<SeriesPoint> points = [new(0, 5), new(1, 1), .. Enumerable.Range(2, 3000).Select(i => new SeriesPoint(i, 3))];
        var axis = ChartAxis.For([points], maxSlots: 100);
        var values = axis.Place(points);
        Assert.Equal(5, values[0]);
        Assert.Equal(1, values[1]);
    }

    [Fact]
    public void ChartAxis_FewDistinctX_GivesEachItsOwnSlotAndTheLastValueAtAnX()
    {
        List<SeriesPoint> a = [new(0, 1), new(10, 2), new(10, 3)];
        List<SeriesPoint> b = [new(5, 7)];
        var axis = ChartAxis.For([a, b]);

        Assert.False(axis.IsBucketed);
        Assert.Equal([0, 5, 10], Enumerable.Range(0, axis.Slots).Select(axis.XOf));
        Assert.Equal([1, null, 3], axis.Place(a));
        Assert.Equal([null, 7, null], axis.Place(b));
    }

    [Fact]
    public void ChartAxis_SeriesCoveringPartOfTheRange_LeavesNullsElsewhere()
    {
        var longRun = Line(10_000, i => i);
        var shortRun = Line(100, i => i);
        var axis = ChartAxis.For([longRun, shortRun], maxSlots: 200);
        var placed = axis.Place(shortRun);
        Assert.NotNull(placed[0]);
        Assert.All(placed.Skip(4), v => Assert.Null(v));
    }

    [Fact]
    public void ChartAxis_NoPoints_HasNoSlots() => Assert.Equal(0, ChartAxis.For([[]]).Slots);

    [Fact]
    public void Smoothing_ZeroWeight_LeavesTheSeries()
    {
        var points = Line(10, i => i);
        Assert.Same(points, Smoothing.Apply(points, 0));
    }

    [Fact]
    public void Smoothing_IsDebiased_SoAConstantStaysConstant()
    {
        var smoothed = Smoothing.Apply(Line(50, _ => 4.0), 0.9);
        Assert.All(smoothed, p => Assert.Equal(4.0, p.Y, 9));
    }

    [Fact]
    public void Smoothing_DampsNoise()
    {
        var noisy = Line(1000, i => i % 2 == 0 ? 1.0 : -1.0);
        var smoothed = Smoothing.Apply(noisy, 0.9);
        Assert.True(Math.Abs(smoothed[^1].Y) < 0.2);
    }

    [Fact]
    public void ChartScale_MapsTheRangeOntoZeroToHundredAndLabelsRealValues()
    {
        var scale = ChartScale.For([[0.02, 0.07, null]]);
        Assert.Equal([0, 100, null], scale.Apply([0.02, 0.07, null]));
        Assert.Equal("0.045", scale.Label(50));
    }

    [Fact]
    public void ChartScale_LogValues_AreLabelledWithTheOriginalNumbers()
    {
        var scale = ChartScale.For([[-2.0, 0.0]], log: true);
        Assert.Equal("0.01", scale.Label(0));
        Assert.Equal("1", scale.Label(100));
    }

    [Fact]
    public void MetricChartBuilder_LogScale_DropsNonPositiveValues()
    {
        var history = new List<Metric> { new("m", 0, 1, 0), new("m", 10, 2, 1), new("m", 100, 3, 2) };
        var chart = MetricChartBuilder.Build("m", [("run", history)], new MetricChartSettings(LogScale: true));
        Assert.Equal([null, 1, 2], chart.Lines[0].Values);
    }

    [Fact]
    public void MetricChartBuilder_RelativeTime_CountsSecondsFromTheFirstPoint()
    {
        var history = new List<Metric> { new("m", 1, 10_000, 0), new("m", 2, 12_500, 1) };
        var chart = MetricChartBuilder.Build("m", [("run", history)], new MetricChartSettings(XAxisKind.RelativeTime));
        Assert.Equal(["0s", "2.5s"], chart.Labels);
    }

    [Theory]
    [InlineData("sideways", null)]
    [InlineData(null, "1.5")]
    [InlineData(null, "abc")]
    public void MetricChartSettings_BadQuery_IsAUserError(string? x, string? smooth) =>
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => MetricChartSettings.FromQuery(x, smooth, null)).ErrorCode);

    [Fact]
    public void ParallelCoordinates_ScalesNumbersAndOrdersCategoriesAndDropsConstantParams()
    {
        static Run RunWith(string lr, string trainer, double auc) => new(
            new RunInfo(lr, lr, lr, "1", "u", RunStatus.Finished, 0, null, "", "active"),
            new RunData([new Metric("auc", auc, 0, 0)], [new Param("lr", lr), new Param("trainer", trainer), new Param("seed", "1")], []));
        var chart = ParallelCoordinates.Build([RunWith("0.1", "b", 0.7), RunWith("0.3", "a", 0.9)], "auc", r => r.Info.RunName);

        Assert.Equal(["params.lr", "params.trainer", "metrics.auc"], chart.Axes.Select(a => a.Name));
        Assert.Equal([0, 1, 0], chart.Lines[0].Values);
        Assert.Equal([1, 0, 1], chart.Lines[1].Values);
        Assert.True(chart.Axes[1].Categorical);
        Assert.Equal("0.1", chart.Axes[0].Low);
    }
}
