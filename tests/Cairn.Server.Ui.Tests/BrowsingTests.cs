using Cairn.Tracking;
using Cairn.Server.Ui.Browsing;

namespace Cairn.Server.Ui.Tests;

/// <summary>The runs table's URL state and the CSV head reader.</summary>
public sealed class BrowsingTests
{
    [Fact]
    public void RunsTableState_SortLink_GoesDescendingThenAscendingAndBackToPageOne()
    {
        var state = RunsTableState.From("params.a = 'x'", null, "dG9rZW4=", ["metrics.auc"], null);
        var first = state.SortLink("1", "metrics.auc");
        Assert.Contains("order=metrics.auc%20DESC", first);
        Assert.DoesNotContain("page=", first);
        Assert.Contains("filter=params.a%20%3D%20%27x%27", first);
        Assert.Contains("cols=metrics.auc", first);

        var descending = state with { Order = "metrics.auc DESC" };
        Assert.Equal("descending", descending.SortOf("metrics.auc"));
        Assert.Contains("order=metrics.auc%20ASC", descending.SortLink("1", "metrics.auc"));
    }

    private static Run RunWith(string name, (string Key, string Value)[] @params, (string Key, double Value)[] metrics) => new(
        new RunInfo(name, name, name, "1", "u", RunStatus.Finished, 0, null, "", "active"),
        new RunData(metrics.Select(m => new Metric(m.Key, m.Value, 0, 0)).ToList(), @params.Select(p => new Param(p.Key, p.Value)).ToList(), []));

    [Fact]
    public void RunColumns_Defaults_PutTheKeysThatDifferFirst()
    {
        List<Run> runs =
        [
            RunWith("a", [("dataset", "f.csv"), ("label", "late"), ("rows", "9"), ("seed", "1"), ("split", "0.2"), ("trainer", "FastTree"), ("trees", "50")], [("auc", 0.7), ("epochs", 5)]),
            RunWith("b", [("dataset", "f.csv"), ("label", "late"), ("rows", "9"), ("seed", "1"), ("split", "0.2"), ("trainer", "LightGbm"), ("trees", "100")], [("auc", 0.8), ("epochs", 5), ("f1", 0.5)]),
        ];
        var columns = RunColumns.Of(runs);

        Assert.Equal(["params.trainer", "params.trees", "params.dataset", "params.label", "params.rows", "params.seed", "params.split"], columns.Params);
        // f1 is missing from one run: that differs too.
        Assert.Equal(["metrics.auc", "metrics.f1", "metrics.epochs"], columns.Metrics);
        Assert.Equal(["metrics.auc", "metrics.f1", "metrics.epochs", "params.trainer", "params.trees", "params.dataset", "params.label", "params.rows"], columns.Defaults());
        Assert.True(columns.IsConstant("params.seed"));
        Assert.False(columns.IsConstant("metrics.f1"));
    }

    [Fact]
    public void RunColumns_OneRun_IsAlphabetical() =>
        Assert.Equal(["params.a", "params.b"], RunColumns.Of([RunWith("a", [("b", "1"), ("a", "2")], [])]).Params);

    [Fact]
    public void RunsTableState_KeysWithSpacesOrDots_AreQuotedForOrderBy()
    {
        Assert.Equal("metrics.auc", RunsTableState.OrderKey("metrics.auc"));
        Assert.Equal("metrics.`val loss`", RunsTableState.OrderKey("metrics.val loss"));
        Assert.Equal("params.`a.b`", RunsTableState.OrderKey("params.a.b"));
    }

    [Fact]
    public void RunsTableState_UnknownColumnKinds_AreIgnored() =>
        Assert.Equal(["tags.team"], RunsTableState.From(null, null, null, ["tags.team", "secret.x", "tags.team"], null).Columns);

    [Theory]
    [InlineData("0")]
    [InlineData("100000")]
    [InlineData("ten")]
    public void RunsTableState_BadPageSize_IsAUserError(string size) =>
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => RunsTableState.From(null, null, null, null, size)).ErrorCode);

    [Fact]
    public void DelimitedText_QuotedFieldsAndCrLf_AreSplitAsRfc4180Says()
    {
        var rows = DelimitedText.Rows("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n3,4", ',', 10);
        Assert.Equal(3, rows.Count);
        Assert.Equal(["x, y", "say \"hi\""], rows[1]);
        Assert.Equal(["3", "4"], rows[2]);
    }

    [Fact]
    public void DelimitedText_StopsAtMaxRows() =>
        Assert.Equal(2, DelimitedText.Rows("1\n2\n3\n4\n", ',', 2).Count);
}
