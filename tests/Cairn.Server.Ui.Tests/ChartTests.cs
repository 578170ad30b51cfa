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
        Assert.Equal([0, 2.5], chart.X);
    }

    [Theory]
    [InlineData(0.0363, 0.05)]
    [InlineData(0.01926, 0.02)]
    [InlineData(1, 1)]
    [InlineData(1.01, 2)]
    [InlineData(2.5, 5)]
    [InlineData(7, 10)]
    [InlineData(0.00012, 0.0002)]
    [InlineData(4300, 5000)]
    [InlineData(0.09999999999999999, 0.1)]
    public void NiceNumbers_StepAtLeast_IsOneTwoOrFiveTimesAPowerOfTen(double rough, double expected) =>
        Assert.Equal(expected, NiceNumbers.StepAtLeast(rough), 12);

    private static string[] Labels(AxisTicks axis) => axis.Ticks.Select(t => t.Label).ToArray();

    [Fact]
    public void NiceNumbers_Enclosing_TheIssuesRange_TicksEveryTwoHundredths()
    {
        // The run page's axis read 0.3074, 0.3267, ... 0.4037: the data's own ends, split in five.
        var axis = NiceNumbers.Enclosing(0.3074, 0.4037, maxTicks: 7);
        Assert.Equal(["0.3", "0.32", "0.34", "0.36", "0.38", "0.4", "0.42"], Labels(axis));
        Assert.Equal(0.3, axis.Min, 12);
        Assert.Equal(0.42, axis.Max, 12);
        Assert.Equal([0.3, 0.32, 0.34, 0.36, 0.38, 0.4, 0.42], axis.Ticks.Select(t => Math.Round(t.Position, 12)));
    }

    [Theory]
    [InlineData(0.0185, 0.2, new[] { "0", "0.05", "0.1", "0.15", "0.2" })]
    [InlineData(-0.87, 24.1, new[] { "-5", "0", "5", "10", "15", "20", "25" })]
    [InlineData(0, 1, new[] { "0", "0.2", "0.4", "0.6", "0.8", "1" })]
    [InlineData(1200, 98_000, new[] { "0", "20k", "40k", "60k", "80k", "100k" })]
    [InlineData(0.00011, 0.00049, new[] { "1e-4", "2e-4", "3e-4", "4e-4", "5e-4" })]
    public void NiceNumbers_Enclosing_CoversTheDataWithRoundTicks(double low, double high, string[] expected)
    {
        var axis = NiceNumbers.Enclosing(low, high, maxTicks: 7);
        Assert.Equal(expected, Labels(axis));
        Assert.True(axis.Min <= low && axis.Max >= high);
    }

    [Fact]
    public void NiceNumbers_Enclosing_NeverGivesMoreTicksThanAsked()
    {
        var random = new Random(15);
        for (var i = 0; i < 2000; i++)
        {
            // Ranges from a millionth to a million, anywhere within a million ranges of zero.
            var range = (0.01 + random.NextDouble()) * Math.Pow(10, random.Next(-6, 7));
            var low = (random.NextDouble() - 0.5) * range * Math.Pow(10, random.Next(0, 7));
            var high = low + range;
            var axis = NiceNumbers.Enclosing(low, high, maxTicks: 7);
            Assert.InRange(axis.Ticks.Count, 2, 7);
            // Within floating-point noise: ends a billionth of the axis inside snap to the tick.
            var noise = 1e-9 * (axis.Max - axis.Min);
            Assert.True(axis.Min <= low + noise && axis.Max >= high - noise, $"{low}..{high} in {axis.Min}..{axis.Max}");
            Assert.True(axis.Ticks.Count == axis.Ticks.Select(t => t.Label).Distinct().Count(), $"{low}..{high}: {string.Join(", ", Labels(axis))}");
        }
    }

    [Fact]
    public void NiceNumbers_Enclosing_AConstant_StillGivesAnAxisAroundIt()
    {
        var axis = NiceNumbers.Enclosing(50, 50);
        Assert.True(axis.Min < 50 && axis.Max > 50);
        Assert.Contains("50", Labels(axis));
    }

    [Fact]
    public void NiceNumbers_Within_KeepsTheDatasRangeAndTicksInsideIt()
    {
        var axis = NiceNumbers.Within(0, 49, maxTicks: 7, minStep: 1);
        Assert.Equal((0.0, 49.0), (axis.Min, axis.Max));
        Assert.Equal(["0", "10", "20", "30", "40"], Labels(axis));
        Assert.Equal(["0", "1", "2", "3"], Labels(NiceNumbers.Within(0, 3, maxTicks: 7, minStep: 1)));
        Assert.Equal(["0", "20k", "40k", "60k", "80k"], Labels(NiceNumbers.Within(0, 99_999, maxTicks: 7)));
    }

    [Fact]
    public void NiceNumbers_Time_TicksAtWholeMinutesAndAddsTheDateAcrossDays()
    {
        var start = new DateTimeOffset(2025, 10, 9, 9, 0, 7, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var axis = NiceNumbers.Time(start, start + 49 * 60_000, maxTicks: 6);
        Assert.Equal(["09:10", "09:20", "09:30", "09:40"], Labels(axis));
        var days = NiceNumbers.Time(start, start + 3 * 86_400_000L, maxTicks: 6);
        Assert.All(Labels(days), label => Assert.Matches(@"^10-\d\d \d\d:00$", label));
    }

    [Fact]
    public void NiceNumbers_Log_TicksAtOneTwoFiveOfEachDecade()
    {
        var axis = NiceNumbers.Log(Math.Log10(0.0185), Math.Log10(0.2), maxTicks: 7);
        Assert.Equal(["0.01", "0.02", "0.05", "0.1", "0.2"], Labels(axis));
        Assert.Equal(-2, axis.Min, 12);
        Assert.Equal(Math.Log10(0.2), axis.Max, 12);
        var wide = NiceNumbers.Log(-6, 2, maxTicks: 7);
        Assert.Equal(["1e-6", "1e-4", "0.01", "1", "100"], Labels(wide));
    }

    [Fact]
    public void LineChartLayout_LossCurve_PutsRoundTicksOnBothAxesAndTitlesBesideThem()
    {
        var history = Enumerable.Range(0, 50).Select(s => new Metric("loss", 1.0 / (s + 5), s * 1000L, s)).ToList();
        var layout = LineChartLayout.For(MetricChartBuilder.Build("loss", [("run", history)], new MetricChartSettings()));

        Assert.Equal(["0", "0.05", "0.1", "0.15", "0.2"], layout.YTicks.Select(t => t.Label));
        Assert.Equal(["0", "10", "20", "30", "40"], layout.XTicks.Select(t => t.Label));
        Assert.Equal(layout.PlotBottom, layout.YTicks[0].Y, 6);
        Assert.Equal(layout.PlotLeft, layout.XTicks[0].X, 6);
        Assert.True(layout.XTitleBaseline > layout.XLabelTop + 12, "the x title is under the x tick labels");
        Assert.True(layout.YTitleCentre + 8 < layout.YLabelRight - 4 * 7, "the y title is left of the y tick labels");
        Assert.StartsWith($"M{LineChartLayout.Coordinate(layout.PlotLeft)} {LineChartLayout.Coordinate(layout.PlotBottom - (0.2 - 0) / 0.2 * (layout.PlotBottom - layout.PlotTop))}", layout.Lines[0].Path);
    }

    [Fact]
    public void LineChartLayout_WideLabels_WidenTheLeftMarginSoNoneIsCutOff()
    {
        var narrow = LineChartLayout.For(MetricChartBuilder.Build("m", [("run", [new("m", 0, 0, 0), new("m", 1, 1, 1)])], new MetricChartSettings()));
        var wide = LineChartLayout.For(MetricChartBuilder.Build("m", [("run", [new("m", -0.00123, 0, 0), new("m", 0.00456, 1, 1)])], new MetricChartSettings()));
        Assert.True(wide.PlotLeft > narrow.PlotLeft);
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
