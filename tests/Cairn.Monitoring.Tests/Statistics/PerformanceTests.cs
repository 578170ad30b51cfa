namespace Cairn.Monitoring.Tests;

public class PerformanceTests
{
    private static readonly PerformanceSettings Classification = new();

    [Fact]
    public void Classification_metrics_match_hand_computed_values()
    {
        var report = PerformanceCalculator.Compute(Classification, [0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
        var m = report.Overall;
        Assert.Equal(4, m.Rows);
        Assert.Equal(0.75, m.Auc!.Value, 12);
        // At 0.5 only 0.8 predicts 1: tp 1, fp 0, tn 2, fn 1.
        Assert.Equal(0.75, m.Accuracy!.Value, 12);
        Assert.Equal(1, m.Precision!.Value, 12);
        Assert.Equal(0.5, m.Recall!.Value, 12);
        Assert.Equal(2.0 / 3, m.F1!.Value, 12);
        // −(ln 0.9 + ln 0.6 + ln 0.35 + ln 0.8) / 4
        Assert.Equal(0.4722879538, m.LogLoss!.Value, 9);
    }

    [Fact]
    public void Auc_gives_tied_scores_their_average_rank()
    {
        Assert.Equal(0.875, PerformanceCalculator.Compute(Classification, [0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1]).Overall.Auc!.Value, 12);
        Assert.Equal(0.5, PerformanceCalculator.Compute(Classification, [0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]).Overall.Auc!.Value, 12);
    }

    [Fact]
    public void Log_loss_clips_certain_wrong_predictions()
    {
        var m = PerformanceCalculator.Compute(Classification, [0.0, 1.0], [1, 0]).Overall;
        // Both clipped to 1e-15 from the wrong end (in doubles, 1 − (1 − 1e-15) is 1.11e-15, as in scikit-learn).
        Assert.Equal((-Math.Log(1e-15) - Math.Log(1 - (1 - 1e-15))) / 2, m.LogLoss!.Value, 9);
    }

    [Fact]
    public void One_class_has_no_auc_and_scores_outside_zero_one_no_log_loss()
    {
        var m = PerformanceCalculator.Compute(Classification, [2.0, 3.0], [1, 1]).Overall;
        Assert.Null(m.Auc);
        Assert.Null(m.LogLoss);
        Assert.Equal(1, m.Accuracy);
    }

    [Fact]
    public void Regression_metrics_match_hand_computed_values()
    {
        var m = PerformanceCalculator.Compute(new PerformanceSettings("regression"), [1, 2, 3, double.NaN], [1, 3, 5, 7]).Overall;
        Assert.Equal(3, m.Rows);
        Assert.Equal(Math.Sqrt(5.0 / 3), m.Rmse!.Value, 12);
        Assert.Equal(1, m.Mae!.Value, 12);
        Assert.Null(m.Auc);
    }

    [Fact]
    public void Metrics_are_broken_down_by_slice_with_their_value_names()
    {
        var slices = new Dictionary<string, string?[]> { ["Origin"] = ["JFK", "JFK", "LAX", "LAX", null] };
        var report = PerformanceCalculator.Compute(Classification, [0.9, 0.2, 0.7, 0.6, 0.1], [1, 0, 0, 1, 0], slices);
        var values = report.ToValues();
        Assert.Equal(5, values["labelled_rows"]);
        Assert.Equal(1, values["auc[Origin=JFK]"]);
        Assert.Equal(0, values["auc[Origin=LAX]"]);
        Assert.Equal(0.5, values["accuracy[Origin=LAX]"]);
        Assert.Equal(1, values["labelled_rows[Origin=(missing)]"]);
        Assert.False(values.ContainsKey("auc[Origin=(missing)]"));
        Assert.False(values.ContainsKey("rmse"));
    }

    [Fact]
    public void Labels_other_than_zero_and_one_are_a_user_error() =>
        Assert.Throws<CairnException>(() => PerformanceCalculator.Compute(Classification, [0.5], [2]));
}
