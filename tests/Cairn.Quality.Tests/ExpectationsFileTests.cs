using Cairn.Quality.Tables;
using Cairn.Quality.Validation;
using Cairn.Testing;

namespace Cairn.Quality.Tests;

/// <summary>Reading expectations files: every kind, and every way a file can be wrong, each error naming the file and line.</summary>
public sealed class ExpectationsFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string yaml)
    {
        var path = _folder.File("expectations.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void Load_ExampleFile_ReadsSchemaAndEveryExpectation()
    {
        var file = Expectations.Load(TestFiles.ExampleExpectations);

        Assert.Equal(["date", "delay", "distance", "origin", "destination"], file.Schema!.Expected.Select(e => e.Name));
        Assert.Equal(ColumnType.Timestamp, file.Schema.Expected[0].Type);
        Assert.False(file.Schema.AllowExtraColumns);
        Assert.Contains(file.Items, e => e is UniqueExpectation { KeyColumns.Count: 4 });
        Assert.Contains(file.Items, e => e is DistributionExpectation { Statistic: Statistic.Quantile, Quantile: 0.5 });
        Assert.All(file.Items, e => Assert.True(e.Line > 1));
    }

    [Fact]
    public void Parse_EveryKind_KeepsItsParameters()
    {
        var file = Expectations.Parse("""
            expectations:
              - expect: not_null
                column: a
                max_missing_fraction: 0.25
              - expect: range
                column: a
                min: -1.5
              - expect: allowed_values
                column: b
                values: [x, "y", 3]
              - expect: unique
                column: a
              - expect: row_count
                max: 10
              - expect: freshness
                column: t
                max_age: 36h
              - expect: mean
                column: a
                min: 0
                max: 1
              - expect: stddev
                column: a
                max: 2
              - expect: quantile
                column: a
                q: 0.9
                max: 3
            """, "inline.yaml");

        Assert.Equal(new NotNullExpectation("a", 0.25, 2), file.Items[0]);
        Assert.Equal(new RangeExpectation("a", -1.5, null, 5), file.Items[1]);
        Assert.Equal(["x", "y", "3"], ((AllowedValuesExpectation)file.Items[2]).Values);
        Assert.Equal(["a"], ((UniqueExpectation)file.Items[3]).KeyColumns);
        Assert.Equal(new RowCountExpectation(null, 10, 13), file.Items[4]);
        Assert.Equal(TimeSpan.FromHours(36), ((FreshnessExpectation)file.Items[5]).MaxAge);
        Assert.Equal(Statistic.Stddev, ((DistributionExpectation)file.Items[7]).Statistic);
        Assert.Equal(0.9, ((DistributionExpectation)file.Items[8]).Quantile);
    }

    [Fact]
    public void Load_MissingFile_NamesIt()
    {
        var error = Assert.Throws<CairnException>(() => Expectations.Load(_folder.File("nothing.yaml")));
        Assert.Contains("nothing.yaml' does not exist", error.Message);
    }

    [Theory]
    [InlineData("expectations:\n  - expect: range\n    column: a\n    min: [1\n", "line 5")]              // unclosed flow sequence
    [InlineData("expectations:\n  - expect: range\n  column: a\n", "line 3")]                           // bad indentation
    [InlineData("schema:\n  columns:\n    a: string\n    a: integer\n", "a")]                          // duplicate key
    [InlineData("expectations: [\n", "line 2")]
    public void Parse_MalformedYaml_NamesTheFileAndLine(string yaml, string where)
    {
        var path = Write(yaml);
        var error = Assert.Throws<CairnException>(() => Expectations.Load(path));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(path, error.Message);
        Assert.Contains(where, error.Message);
    }

    [Theory]
    [InlineData("expectations:\n  - expect: not_nul\n    column: a\n", "line 2: unknown expectation 'not_nul'")]
    [InlineData("expectations:\n  - expect: range\n    column: a\n    mn: 0\n    max: 1\n", "line 4: unknown key 'mn'")]
    [InlineData("expectations:\n  - expect: range\n    column: a\n    min: zero\n", "line 4: 'min' must be a number, not 'zero'")]
    [InlineData("expectations:\n  - expect: range\n    column: a\n    min: .nan\n", "line 4: 'min' must be a number")]
    [InlineData("expectations:\n  - expect: range\n    column: a\n    min: 5\n    max: 1\n", "line 2: 'min' (5) is greater than 'max' (1)")]
    [InlineData("expectations:\n  - expect: range\n    column: a\n", "line 2: give 'min', 'max' or both")]
    [InlineData("expectations:\n  - expect: not_null\n", "line 2: 'column' is missing")]
    [InlineData("expectations:\n  - expect: not_null\n    column: a\n    max_missing_fraction: 2\n", "line 4: 'max_missing_fraction' must be a fraction")]
    [InlineData("expectations:\n  - expect: row_count\n    min: 1.5\n", "line 3: 'min' must be a whole number")]
    [InlineData("expectations:\n  - expect: freshness\n    column: t\n    max_age: soon\n", "line 4: 'max_age' must be a number and a unit")]
    [InlineData("expectations:\n  - expect: quantile\n    column: a\n    q: 2\n    max: 1\n", "line 4: 'q' must be between 0 and 1")]
    [InlineData("expectations:\n  - expect: allowed_values\n    column: a\n    values: []\n", "'values' is empty")]
    [InlineData("expectations:\n  - range\n", "line 2: each expectation must be a mapping")]
    [InlineData("schema:\n  columns:\n    a: decimalish\n", "line 3: unknown type 'decimalish'")]
    [InlineData("expectatons:\n  - expect: row_count\n    min: 1\n", "line 1: unknown key 'expectatons'")]
    [InlineData("- a\n- b\n", "line 1: the file must be a mapping")]
    [InlineData("", "is empty")]
    [InlineData("expectations: []\n", "nothing to check")]
    public void Parse_WrongContent_SaysWhatAndWhere(string yaml, string message)
    {
        var error = Assert.Throws<CairnException>(() => Expectations.Parse(yaml, "exp.yaml"));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("exp.yaml", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("1.5h", 5400)]
    [InlineData("7d", 604800)]
    [InlineData("2w", 1209600)]
    public void Durations_ParseUnits(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var span));
        Assert.Equal(seconds, span.TotalSeconds);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("d")]
    [InlineData("-1h")]
    [InlineData("1y")]
    [InlineData("1e300d")]
    public void Durations_RefuseNonsense(string text) => Assert.False(Durations.TryParse(text, out _));
}
