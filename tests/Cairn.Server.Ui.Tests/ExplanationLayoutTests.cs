using Cairn.Models.Explain;
using Cairn.Server.Ui.Explanations;

namespace Cairn.Server.Ui.Tests;

/// <summary>The geometry of the explanation charts: importance bars, dependence plots and waterfalls.</summary>
public sealed class ExplanationLayoutTests
{
    [Fact]
    public void ImportanceBars_MostImportantFirst_ScaledToTheLargest()
    {
        var layout = ImportanceBarsLayout.For([new("Distance", 0.5), new("Origin", 2.0), new("Hour", 1.0)]);
        Assert.Equal(["Origin", "Hour", "Distance"], layout.Bars.Select(b => b.Label));
        Assert.True(layout.Bars.Zip(layout.Bars.Skip(1)).All(p => p.First.Y < p.Second.Y));
        // Lengths are proportional to the values, on an axis from 0 at the plot's left.
        Assert.Equal(layout.Bars[0].Length / 2, layout.Bars[1].Length, 6);
        Assert.Equal(layout.Bars[0].Length / 4, layout.Bars[2].Length, 6);
        Assert.True(layout.PlotLeft + layout.Bars[0].Length <= layout.PlotRight + 1e-9);
        Assert.Equal(layout.PlotLeft, layout.XTicks[0].X, 6);
        Assert.Equal("0", layout.XTicks[0].Label);
    }

    [Fact]
    public void ImportanceBars_ManyFeatures_TopKMinusOne_ThenOneOtherBarWithTheRestsSum()
    {
        var importance = Enumerable.Range(1, 40).Select(i => new FeatureImportance($"f{i:D2}", i)).ToList();
        var layout = ImportanceBarsLayout.For(importance, topK: 10);
        Assert.Equal(10, layout.Bars.Count);
        Assert.Equal(Enumerable.Range(32, 9).Reverse().Select(i => $"f{i:D2}"), layout.Bars.Take(9).Select(b => b.Label));
        var other = layout.Bars[^1];
        Assert.True(other.IsOther);
        Assert.Equal(31, other.OtherCount);
        Assert.Equal("31 other features", other.Label);
        Assert.Equal(Enumerable.Range(1, 31).Sum(), other.Value, 9);
    }

    [Fact]
    public void ImportanceBars_NaNIsNamedNotDrawn_AndNoFeatureGivesAnEmptyChart()
    {
        var layout = ImportanceBarsLayout.For([new("a", double.NaN), new("b", 1), new("c", double.PositiveInfinity)]);
        Assert.Equal(["b"], layout.Bars.Select(b => b.Label));
        Assert.Equal(["a", "c"], layout.Unavailable);

        var empty = ImportanceBarsLayout.For([]);
        Assert.Empty(empty.Bars);
        Assert.True(empty.Height > 0);
        var zeros = ImportanceBarsLayout.For([new("a", 0)]);
        Assert.Equal(0, zeros.Bars[0].Length);
    }

    [Fact]
    public void Dependence_NumbersOnANumericAxis_PlacedByValue_MissingAndNaNSkipped()
    {
        var layout = DependencePlotLayout.For("Distance", ["100", "300", null, "200", "NaN", "250"], [-1.0, 1.0, 0.5, 0.0, 0.2, double.NaN]);
        Assert.True(layout.IsNumeric);
        Assert.Empty(layout.Bands);
        Assert.Equal(3, layout.Skipped);
        Assert.Equal(["100", "300", "200"], layout.Points.Select(p => p.Value));
        var (low, high, middle) = (layout.Points[0], layout.Points[1], layout.Points[2]);
        Assert.Equal(low.X, layout.PlotLeft, 6);
        Assert.Equal(high.X, layout.PlotRight, 6);
        Assert.Equal((low.X + high.X) / 2, middle.X, 6);
        // Higher SHAP is higher up (smaller y); SHAP 0 is on the zero line.
        Assert.True(high.Y < middle.Y && middle.Y < low.Y);
        Assert.Equal(layout.ZeroY, middle.Y, 6);
    }

    [Fact]
    public void Dependence_Text_OneBandPerValue_MostFrequentFirst_PointsInsideTheirBand()
    {
        var layout = DependencePlotLayout.For("Origin", ["SEA", "JFK", "SEA", null, "SEA", "JFK"], [1, 2, 3, 4, 5, 6]);
        Assert.False(layout.IsNumeric);
        Assert.Equal([("SEA", 3), ("JFK", 2), (DependencePlotLayout.Missing, 1)], layout.Bands.Select(b => (b.Label, b.Count)));
        Assert.Equal(layout.PlotLeft, layout.Bands[0].Left, 6);
        Assert.Equal(layout.PlotRight, layout.Bands[^1].Right, 6);
        foreach (var point in layout.Points)
        {
            var band = layout.Bands.Single(b => b.Label == point.Value);
            Assert.InRange(point.X, band.Left, band.Right);
        }
        // Equal values are spread, not drawn on top of each other.
        Assert.Equal(3, layout.Points.Where(p => p.Value == "SEA").Select(p => p.X).Distinct().Count());
        Assert.Equal(0, layout.Skipped);
    }

    [Fact]
    public void Dependence_ManyCategories_TheRarestShareAnOtherBand()
    {
        var values = Enumerable.Range(0, 20).SelectMany(i => Enumerable.Repeat($"c{i:D2}", 20 - i)).ToList();
        var layout = DependencePlotLayout.For("code", values, values.Select(_ => 0.1).ToList(), maxCategories: 5);
        Assert.Equal(["c00", "c01", "c02", "c03", "16 other values"], layout.Bands.Select(b => b.Label));
        Assert.Equal(values.Count - 20 - 19 - 18 - 17, layout.Bands[^1].Count);
        Assert.Equal(values.Count, layout.Points.Count);
        Assert.All(layout.Points.Where(p => p.Value == "c10"), p => Assert.InRange(p.X, layout.Bands[^1].Left, layout.Bands[^1].Right));
    }

    [Fact]
    public void Dependence_NothingToPlace_GivesAnEmptyPlot_AndMismatchedLengthsAreRefused()
    {
        var layout = DependencePlotLayout.For("x", [], []);
        Assert.Empty(layout.Points);
        Assert.NotEmpty(layout.YTicks);
        Assert.Throws<ArgumentException>(() => DependencePlotLayout.For("x", ["1"], [1, 2]));
    }

    [Fact]
    public void Waterfall_StartsAtTheBase_LargestFirst_EachStepFromThePreviousEnd_EndingAtTheOutput()
    {
        Attribution[] parts = [new("Distance", "250", -0.3), new("Origin", "SEA", 1.2), new("Hour", "7", 0.4)];
        var layout = WaterfallLayout.For(0.5, parts);
        Assert.Equal(["Origin", "Hour", "Distance"], layout.Steps.Select(s => s.Label));
        Assert.Equal(0.5, layout.Steps[0].Start, 12);
        foreach (var (previous, next) in layout.Steps.Zip(layout.Steps.Skip(1))) Assert.Equal(previous.End, next.Start, 12);
        Assert.Equal(0.5 + 1.2 + 0.4 - 0.3, layout.Output, 12);
        Assert.Equal(layout.Output, layout.Steps[^1].End, 12);
        Assert.True(layout.Steps[0].Raises);
        Assert.False(layout.Steps[2].Raises);
        // A falling step's bar still runs left to right; its length is proportional to |SHAP|.
        var perUnit = (layout.Steps[0].Right - layout.Steps[0].Left) / 1.2;
        Assert.Equal(0.3 * perUnit, layout.Steps[2].Right - layout.Steps[2].Left, 6);
        Assert.Equal(layout.Steps[0].Left, layout.BaseX, 6);
        Assert.Equal(layout.Steps[2].Left, layout.OutputX, 6);
        Assert.True(layout.BaseY < layout.Steps[0].Y && layout.Steps[^1].Y < layout.OutputY);
    }

    [Fact]
    public void Waterfall_ManyFeatures_OneOtherStep_StillSumsToTheOutput()
    {
        var parts = Enumerable.Range(1, 30).Select(i => new Attribution($"f{i}", null, i % 2 == 0 ? i : -i / 2.0)).ToList();
        var layout = WaterfallLayout.For(-3, parts, topK: 6);
        Assert.Equal(6, layout.Steps.Count);
        Assert.Equal(25, layout.Steps[^1].OtherCount);
        Assert.Equal(-3 + parts.Sum(p => p.Shap), layout.Output, 9);
        Assert.Equal(layout.Output, layout.Steps[^1].End, 9);
    }

    [Fact]
    public void Waterfall_NaNLeftOutAndNamed_NoFeatureMeansOutputIsTheBase_NaNBaseRefused()
    {
        var layout = WaterfallLayout.For(2, [new("a", "1", double.NaN), new("b", "2", 1)]);
        Assert.Equal(["a"], layout.Unavailable);
        Assert.Equal(3, layout.Output, 12);
        var empty = WaterfallLayout.For(2, []);
        Assert.Empty(empty.Steps);
        Assert.Equal(2, empty.Output);
        Assert.Equal(empty.BaseX, empty.OutputX, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => WaterfallLayout.For(double.NaN, []));
    }

    [Fact]
    public void Waterfall_StepText_NamesTheValueWhenKnown()
    {
        Assert.Equal("Origin = SEA", WaterfallLayout.Text("Origin", "SEA"));
        Assert.Equal("Origin", WaterfallLayout.Text("Origin", null));
    }
}
