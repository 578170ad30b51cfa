namespace Cairn.Monitoring.Tests;

public class QualityTests
{
    [Fact]
    public void Missing_type_violations_unseen_and_volume_are_measured()
    {
        var reference = new DatasetProfile();
        reference.AddRows(6);
        reference.Numeric("n").AddNumbers([1, 2, 3, 4, 5, 6]);
        reference.Categorical("c").AddStrings(["a", "b", "a", "b", "a", "b"]);
        var current = new DatasetProfile();
        current.AddRows(10);
        current.Numeric("n").AddNumbers([0, 2, 3, 7, 8, double.NaN, 4, 5, 6]);
        current.Numeric("n").AddTypeViolations(1);
        current.Categorical("c").AddStrings(["a", "z", "z", "y", null, "b", "a", "a", "b", "b"]);

        var report = QualityCalculator.Compare(reference, current, expectedRows: 8);
        var n = report.Columns.Single(c => c.Column == "n");
        Assert.Equal(0.1, n.MissingRate, 12);
        Assert.Equal(1, n.TypeViolations);
        Assert.Equal(0.1, n.TypeViolationRate, 12);
        // 0, 7 and 8 of 8 values fall outside [1, 6].
        Assert.InRange(3.0 / 8, n.OutOfRange!.Value - n.OutOfRangeBound!.Value - 1e-12, n.OutOfRange.Value + n.OutOfRangeBound.Value + 1e-12);
        var c = report.Columns.Single(c => c.Column == "c");
        Assert.Equal(0.1, c.MissingRate, 12);
        Assert.Equal(3.0 / 9, c.UnseenRate!.Value, 12);
        Assert.Equal(0, c.UnseenRateBound);
        Assert.Equal([new("z", 2), new("y", 1)], c.TopUnseen);
        Assert.Equal(1.25, report.VolumeRatio);

        var values = report.ToValues();
        Assert.Equal(1.25, values["volume_ratio"]);
        Assert.Equal(1, values["type_violations(n)"]);
        Assert.Equal(3.0 / 9, values["unseen_rate(c)"], 12);
        Assert.Equal(0.1, values["missing_rate(c)"], 12);
        Assert.True(values.ContainsKey("out_of_range(n)"));
        Assert.False(values.ContainsKey("out_of_range(c)"));
        Assert.False(values.ContainsKey("unseen_rate(n)"));
    }

    [Fact]
    public void A_current_inside_the_reference_range_has_exactly_no_out_of_range()
    {
        var report = QualityCalculator.Compare(Samples.Numeric("n", [0, 10]), Samples.Numeric("n", Samples.Normal(1, 100, 5, 1)));
        Assert.Equal((0.0, 0.0), (report.Columns[0].OutOfRange, report.Columns[0].OutOfRangeBound));
    }

    [Fact]
    public void Without_an_expected_volume_there_is_no_volume_ratio()
    {
        var report = QualityCalculator.Compare(new DatasetProfile(), Samples.Numeric("n", [1]));
        Assert.Null(report.VolumeRatio);
        Assert.False(report.ToValues().ContainsKey("volume_ratio"));
        Assert.Null(report.Columns[0].OutOfRange);
    }
}
