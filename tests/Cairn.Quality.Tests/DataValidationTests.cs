using System.Text.Json;
using Cairn.Quality.Tables;
using Cairn.Quality.Validation;
using Cairn.Testing;
using Parquet;
using Parquet.Schema;

namespace Cairn.Quality.Tests;

/// <summary>Each expectation kind passing and failing on real files (CSV and Parquet), and hostile data.</summary>
public sealed class DataValidationTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Csv(string text, string name = "data.csv")
    {
        var path = _folder.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<ValidationReport> Validate(string path, string yaml) =>
        DataValidation.RunAsync(DataSource.FromFile(path), Expectations.Parse(yaml, "exp.yaml"), new FixedClock(Now));

    private static CheckResult Single(ValidationReport report) => Assert.Single(report.Checks);

    private const string People = """
        id,name,age,score,joined,active
        1,ada,36,0.5,2024-05-31T10:00:00Z,true
        2,bob,41,0.7,2024-05-30T09:00:00Z,false
        3,cy,,0.9,2024-05-29T08:00:00Z,true
        4,"dee, jr",29,NaN,2024-05-28T07:00:00Z,true
        """;

    [Fact]
    public async Task Schema_CsvTypesInferredFromEveryValue_PassAndFail()
    {
        var path = Csv(People);
        var pass = await Validate(path, "schema:\n  columns:\n    id: integer\n    name: string\n    age: integer\n    score: number\n    joined: timestamp\n    active: boolean\n");
        Assert.True(pass.Passed, pass.ToText());
        Assert.Equal(6, pass.Checks.Count);

        var fail = await Validate(path, "schema:\n  columns:\n    name: integer\n    missing_col: string\n    id: any\n  allow_extra_columns: false\n");
        Assert.False(fail.Passed);
        Assert.Contains(fail.Checks, c => c is { Check: "schema column name", Passed: false } && c.Observed.Contains("string (e.g. 'ada')"));
        Assert.Contains(fail.Checks, c => c is { Check: "schema column missing_col", Observed: "missing", Passed: false });
        Assert.Contains(fail.Checks, c => c is { Check: "schema column id", Passed: true });
        Assert.Contains(fail.Checks, c => c.Check == "schema no other columns" && c.Observed.Contains("age, score, joined, active") && !c.Passed);
    }

    [Fact]
    public async Task NotNull_EmptyFieldsAndNaNAreMissing_FractionIsCompared()
    {
        var path = Csv(People);
        var strict = Single(await Validate(path, "expectations:\n  - expect: not_null\n    column: score\n"));
        Assert.False(strict.Passed);
        Assert.Equal("1 of 4 missing (25%)", strict.Observed);
        Assert.Equal(2, strict.Line);

        Assert.True(Single(await Validate(path, "expectations:\n  - expect: not_null\n    column: age\n    max_missing_fraction: 0.25\n")).Passed);
        Assert.True(Single(await Validate(path, "expectations:\n  - expect: not_null\n    column: name\n")).Passed);
    }

    [Fact]
    public async Task Range_InsideAndOutside_AndTextThatIsNotANumber()
    {
        var path = Csv(People);
        var inside = Single(await Validate(path, "expectations:\n  - expect: range\n    column: age\n    min: 18\n    max: 65\n"));
        Assert.True(inside.Passed, inside.Observed);
        Assert.Equal("min 29, max 41", inside.Observed);

        var outside = Single(await Validate(path, "expectations:\n  - expect: range\n    column: age\n    max: 40\n"));
        Assert.False(outside.Passed);
        Assert.Contains("1 of 3 outside", outside.Observed);
        Assert.Contains("outside: 41", outside.Details!);

        var text = Single(await Validate(path, "expectations:\n  - expect: range\n    column: name\n    min: 0\n"));
        Assert.False(text.Passed);
        Assert.Contains("4 values are not numbers", text.Observed);
    }

    [Fact]
    public async Task AllowedValues_ListsTheUnexpectedOnes()
    {
        var path = Csv(People);
        Assert.True(Single(await Validate(path, "expectations:\n  - expect: allowed_values\n    column: active\n    values: [\"true\", \"false\"]\n")).Passed);
        var fail = Single(await Validate(path, "expectations:\n  - expect: allowed_values\n    column: name\n    values: [ada, bob]\n"));
        Assert.False(fail.Passed);
        Assert.Contains("2 of 4 not allowed", fail.Observed);
        Assert.Contains("'dee, jr' x1", fail.Observed);
    }

    [Fact]
    public async Task Unique_SingleAndCompound_OnTheRealFlightsSample()
    {
        // Two carriers flew SEA-ANC at 20:55 on 6 January 2001: the route and minute repeat, the delays differ.
        var routeAndMinute = Single(await Validate(TestFiles.FlightsSample, "expectations:\n  - expect: unique\n    columns: [date, origin, destination]\n"));
        Assert.False(routeAndMinute.Passed);
        Assert.StartsWith("1 repeated of 29,697", routeAndMinute.Observed);
        Assert.Contains("date='2001-01-06T20:55', origin='SEA', destination='ANC'", routeAndMinute.Details![0]);

        Assert.True(Single(await Validate(TestFiles.FlightsSample, "expectations:\n  - expect: unique\n    columns: [date, origin, destination, delay]\n")).Passed);
        Assert.False(Single(await Validate(TestFiles.FlightsSample, "expectations:\n  - expect: unique\n    column: origin\n")).Passed);
    }

    [Fact]
    public async Task Unique_KeysAreNotConfusedByWhereTheColumnsSplit()
    {
        var path = Csv("a,b\nab,c\na,bc\n,x\n,x\n");
        var result = Single(await Validate(path, "expectations:\n  - expect: unique\n    columns: [a, b]\n"));
        Assert.True(result.Passed, result.Observed); // rows with a missing key value are skipped, as SQL UNIQUE does
        Assert.Equal("2 distinct", result.Observed);
    }

    [Fact]
    public async Task RowCount_BoundsAndHeaderOnlyFile()
    {
        Assert.True(Single(await Validate(TestFiles.FlightsSample, "expectations:\n  - expect: row_count\n    min: 29697\n    max: 29697\n")).Passed);
        var empty = Single(await Validate(Csv("a,b\n"), "expectations:\n  - expect: row_count\n    min: 1\n"));
        Assert.False(empty.Passed);
        Assert.Equal("0 rows", empty.Observed);
    }

    [Fact]
    public async Task Freshness_AgainstTheGivenClock()
    {
        var path = Csv(People);
        var fresh = Single(await Validate(path, "expectations:\n  - expect: freshness\n    column: joined\n    max_age: 2d\n"));
        Assert.True(fresh.Passed, fresh.Observed);
        Assert.Equal("newest 2024-05-31 10:00:00Z, 1.1d old", fresh.Observed);

        var stale = Single(await Validate(path, "expectations:\n  - expect: freshness\n    column: joined\n    max_age: 12h\n"));
        Assert.False(stale.Passed);

        var notTimes = Single(await Validate(path, "expectations:\n  - expect: freshness\n    column: name\n    max_age: 12h\n"));
        Assert.False(notTimes.Passed);
        Assert.Equal("no timestamps", notTimes.Observed);
    }

    [Fact]
    public async Task Distribution_MeanStddevQuantileOnTheFlightsSample()
    {
        // Computed independently: mean 6.7609, sample stddev 32.5647, median -1 over 29,697 delays.
        var report = await Validate(TestFiles.FlightsSample, """
            expectations:
              - expect: mean
                column: delay
                min: 6.76
                max: 6.77
              - expect: stddev
                column: delay
                min: 32.56
                max: 32.57
              - expect: quantile
                column: delay
                q: 0.5
                min: -1
                max: -1
              - expect: mean
                column: distance
                max: 500
            """);
        Assert.Equal([true, true, true, false], report.Checks.Select(c => c.Passed));
        Assert.Equal("733.644", report.Checks[3].Observed);
    }

    [Fact]
    public async Task Distribution_TooFewValues_Fails()
    {
        var result = Single(await Validate(Csv("x\n1\n\n"), "expectations:\n  - expect: stddev\n    column: x\n    max: 1\n"));
        Assert.False(result.Passed);
        Assert.Contains("too few", result.Observed);
    }

    [Fact]
    public async Task ExampleExpectations_PassOnTheFlightsSample()
    {
        var report = await DataValidation.RunAsync(DataSource.FromFile(TestFiles.FlightsSample), Expectations.Load(TestFiles.ExampleExpectations));
        Assert.True(report.Passed, report.ToText());
        Assert.Equal(29697, report.Rows);
        Assert.Equal(5 + 12, report.Checks.Count); // five schema columns, no-other-columns, eleven expectations
    }

    [Fact]
    public async Task Parquet_DeclaredTypesNullsAndNaN_ReadRowGroupByRowGroup()
    {
        var path = _folder.File("people.parquet");
        var id = new DataField<long>("id");
        var score = new DataField<double?>("score");
        var city = new DataField<string>("city");
        var seen = new DataField<DateTime>("seen");
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, score, city, seen), stream))
        {
            for (var group = 0; group < 3; group++)
            {
                using var rowGroup = writer.CreateRowGroup();
                await rowGroup.WriteAsync<long>(id, new ReadOnlyMemory<long>([group * 2 + 1, group * 2 + 2]));
                await rowGroup.WriteAsync<double>(score, new ReadOnlyMemory<double?>([group == 1 ? null : 0.5, group == 2 ? double.NaN : 1.5]));
                await rowGroup.WriteAsync(city, new[] { "Oslo", group == 0 ? "Rome" : "Lima" });
                await rowGroup.WriteAsync<DateTime>(seen, new ReadOnlyMemory<DateTime>([new DateTime(2024, 5, 30, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 5, 31, group, 0, 0, DateTimeKind.Utc)]));
            }
        }
        var report = await Validate(path, """
            schema:
              columns: { id: integer, score: number, city: string, seen: timestamp }
            expectations:
              - expect: row_count
                min: 6
                max: 6
              - expect: unique
                column: id
              - expect: not_null
                column: score
              - expect: range
                column: score
                min: 0
                max: 1
              - expect: allowed_values
                column: city
                values: [Oslo, Lima]
              - expect: freshness
                column: seen
                max_age: 36h
              - expect: mean
                column: id
                min: 3.5
                max: 3.5
            """);
        Assert.Equal(6, report.Rows);
        var byCheck = report.Checks.ToDictionary(c => c.Check);
        Assert.All(report.Checks.Where(c => c.Check.StartsWith("schema")), c => Assert.True(c.Passed, c.Observed));
        Assert.True(byCheck["row_count"].Passed);
        Assert.True(byCheck["unique id"].Passed);
        Assert.Equal("2 of 6 missing (33.333%)", byCheck["not_null score"].Observed); // a null and a NaN
        Assert.False(byCheck["range score"].Passed); // 1.5 in the first two row groups, 0.5 in the first and last
        Assert.Contains("2 of 4 outside", byCheck["range score"].Observed);
        Assert.Contains("'Rome' x1", byCheck["allowed_values city"].Observed);
        Assert.True(byCheck["freshness seen"].Passed, byCheck["freshness seen"].Observed);
        Assert.Equal("newest 2024-05-31 02:00:00Z, 1.4d old", byCheck["freshness seen"].Observed);
        Assert.True(byCheck["mean id"].Passed);
    }

    [Fact]
    public async Task Parquet_NumericCheckOnAStringColumn_IsBadInput()
    {
        var path = _folder.File("t.parquet");
        var city = new DataField<string>("city");
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(city), stream))
        {
            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync(city, new[] { "Oslo" });
        }
        var error = await Assert.ThrowsAsync<CairnException>(() => Validate(path, "expectations:\n  - expect: range\n    column: city\n    min: 0\n"));
        Assert.Contains("exp.yaml line 2: range needs numbers, but the column 'city'", error.Message);
    }

    [Fact]
    public async Task UnknownColumn_IsBadInput_WithTheLineAndAHint()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => Validate(TestFiles.FlightsSample, "expectations:\n  - expect: row_count\n    min: 1\n  - expect: not_null\n    column: Delay\n"));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("exp.yaml line 4: not_null names the column 'Delay'", error.Message);
        Assert.Contains("did you mean 'delay'?", error.Message);
    }

    [Fact]
    public async Task ColumnDeclaredInTheSchemaButAbsent_FailsTheChecksOnIt()
    {
        var report = await Validate(Csv(People), "schema:\n  columns: [id, salary]\nexpectations:\n  - expect: not_null\n    column: salary\n");
        Assert.False(report.Passed);
        Assert.Contains(report.Checks, c => c is { Check: "not_null salary", Passed: false, Observed: "the data has no column 'salary'" });
    }

    [Theory]
    [InlineData("", "is empty: a CSV file needs a header line")]
    [InlineData("a,b\n1,2\n3\n", "line 3: 1 fields, but the header has 2")]
    [InlineData("a,a\n1,2\n", "line 1: the header names the column 'a' twice")]
    [InlineData("a,b\n\"1,2\n", "line 2: a quoted field is never closed")]
    public async Task HostileCsv_IsBadInputNamingTheLine(string text, string message)
    {
        var path = Csv(text);
        var error = await Assert.ThrowsAsync<CairnException>(() => Validate(path, "expectations:\n  - expect: row_count\n    min: 0\n"));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task Csv_QuotedFieldsWithCommasQuotesAndLineBreaks()
    {
        var path = Csv("name,note\n\"a, b\",\"said \"\"hi\"\"\nand left\"\nc,d\n");
        var result = Single(await Validate(path, "expectations:\n  - expect: allowed_values\n    column: note\n    values: [\"said \\\"hi\\\"\\nand left\", d]\n"));
        Assert.True(result.Passed, result.Observed);
    }

    [Theory]
    [InlineData("empty.parquet", "")]
    [InlineData("junk.parquet", "this is not parquet at all, just text that goes on")]
    public async Task HostileParquet_IsBadInput(string name, string content)
    {
        var path = Csv(content, name);
        var error = await Assert.ThrowsAsync<CairnException>(() => Validate(path, "expectations:\n  - expect: row_count\n    min: 0\n"));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains(name, error.Message);
    }

    [Theory]
    [InlineData("missing.csv", "does not exist")]
    [InlineData("notes.txt", "neither CSV nor Parquet")]
    public void FromFile_MissingOrNotTabular_IsBadInput(string name, string message)
    {
        if (name.EndsWith(".txt")) File.WriteAllText(_folder.File(name), "x");
        var error = Assert.Throws<CairnException>(() => DataSource.FromFile(_folder.File(name)));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task Report_TextAndJsonSayPassOrFailPerLine()
    {
        var report = await Validate(Csv(People), "expectations:\n  - expect: row_count\n    min: 1\n  - expect: not_null\n    column: age\n");
        var text = report.ToText();
        Assert.Contains("PASS  row_count: expected >= 1 rows; observed 4 rows", text);
        Assert.Contains("FAIL  not_null age: expected no missing values; observed 1 of 4 missing (25%)", text);
        Assert.Contains("FAILED: 1 of 2 checks passed.", text);
        var json = JsonSerializer.Serialize(report.Checks, CairnJson.Options);
        Assert.Contains("\"observed\":\"1 of 4 missing (25%)\"", json);
    }
}
