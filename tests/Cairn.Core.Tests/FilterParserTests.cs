using Cairn.Search;

namespace Cairn.Core.Tests;

public class FilterParserTests
{
    [Fact]
    public void Parse_ConjunctionOfAllEntityKinds_ReturnsEachComparison()
    {
        var result = FilterParser.Parse("metrics.auc > 0.8 and params.model = 'lgbm' AND tags.team = \"ml\" and attributes.status = 'FINISHED'");

        Assert.Equal(4, result.Count);
        Assert.Equal(new Comparison(EntityKind.Metric, "auc", Comparator.Greater, new NumberValue(0.8), 1), result[0]);
        Assert.Equal(EntityKind.Param, result[1].Kind);
        Assert.Equal("lgbm", ((StringValue)result[1].Value).Value);
        Assert.Equal("ml", ((StringValue)result[2].Value).Value);
        Assert.Equal(EntityKind.Attribute, result[3].Kind);
        Assert.Equal("status", result[3].Key);
    }

    [Theory]
    [InlineData("params.m LIKE 'lg%'", Comparator.Like)]
    [InlineData("params.m ilike 'LG%'", Comparator.ILike)]
    [InlineData("params.m != 'x'", Comparator.NotEqual)]
    [InlineData("params.m IN ('a', 'b')", Comparator.In)]
    [InlineData("params.m NOT IN ('a')", Comparator.NotIn)]
    [InlineData("metrics.m >= -1.5e3", Comparator.GreaterOrEqual)]
    [InlineData("metrics.m<=2", Comparator.LessOrEqual)]
    [InlineData("metrics.m < 2", Comparator.Less)]
    public void Parse_EachComparator_IsRecognized(string filter, Comparator expected)
    {
        Assert.Equal(expected, Assert.Single(FilterParser.Parse(filter)).Op);
    }

    [Fact]
    public void Parse_QuotedKeysAndAliases_KeepTheKeyText()
    {
        var result = FilterParser.Parse("metric.`val loss` < 1 and param.\"learning rate\" = '0.1' and tags.mlflow.runName = 'x' and run.start_time > 5");

        Assert.Equal("val loss", result[0].Key);
        Assert.Equal("learning rate", result[1].Key);
        Assert.Equal("mlflow.runName", result[2].Key);
        Assert.Equal(EntityKind.Attribute, result[3].Kind);
    }

    [Fact]
    public void Parse_InList_ReturnsAllValues()
    {
        var value = Assert.IsType<ListValue>(Assert.Single(FilterParser.Parse("tags.t IN ('a', 'it''s', \"c\")")).Value);
        Assert.Equal(["a", "it's", "c"], value.Values);
    }

    [Theory]
    [InlineData("metrics.auc >", "position 14", "expected a value")]
    [InlineData("metrics.auc 0.8", "position 13", "expected a comparison operator")]
    [InlineData("foo.auc > 1", "position 1", "unknown entity type 'foo'")]
    [InlineData("metrics.auc > 1 or params.a = 'b'", "position 17", "'OR' is not supported")]
    [InlineData("params.a = 'open", "position 12", "unterminated quoted string")]
    [InlineData("params.a = lgbm", "position 12", "expected a number or a quoted string")]
    [InlineData("metrics.auc > 'high'", "position 1", "must be compared with a number")]
    [InlineData("params.a > 'x'", "position 1", "does not apply to params")]
    [InlineData("params.a = 1", "position 1", "quote the value")]
    [InlineData("params.a IN 'x'", "position 13", "parenthesized list")]
    [InlineData("metrics.a > 1 metrics.b > 2", "position 15", "expected AND")]
    public void Parse_SyntaxError_NamesPositionAndExpectation(string filter, string position, string expectation)
    {
        var error = Assert.Throws<CairnException>(() => FilterParser.Parse(filter));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(position, error.Message);
        Assert.Contains(expectation, error.Message);
    }

    [Fact]
    public void Parse_EmptyFilter_ReturnsNoComparisons()
    {
        Assert.Empty(FilterParser.Parse("  "));
        Assert.Empty(FilterParser.Parse(null));
    }

    [Fact]
    public void ParseOrderBy_DirectionsAndDefaults()
    {
        var terms = FilterParser.ParseOrderBy(["metrics.auc DESC", "params.model", "start_time asc"]);

        Assert.Equal(new OrderByTerm(EntityKind.Metric, "auc", false), terms[0]);
        Assert.Equal(new OrderByTerm(EntityKind.Param, "model", true), terms[1]);
        Assert.Equal(new OrderByTerm(EntityKind.Attribute, "start_time", true), terms[2]);
    }

    [Fact]
    public void ParseOrderBy_BadDirection_NamesIt()
    {
        var error = Assert.Throws<CairnException>(() => FilterParser.ParseOrderBy(["metrics.auc SIDEWAYS"]));
        Assert.Contains("expected ASC or DESC", error.Message);
        Assert.Contains("order_by", error.Message);
    }
}
