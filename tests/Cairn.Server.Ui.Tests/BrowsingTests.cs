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
