using Cairn.Quality.ModelTests;
using Cairn.Quality.Tables;
using Cairn.Testing;

namespace Cairn.Quality.Tests;

/// <summary>Behavioural tests against a real FastTree model trained on the flights sample and loaded from a real store.</summary>
public sealed class ModelTestingTests(FlightsModelFixture model) : IClassFixture<FlightsModelFixture>, IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private const string Dataset = """
        dataset:
          path: FLIGHTS
          label: { column: delay, above: 15 }
          inputs: { Hour: date.hour, DayOfWeek: date.day_of_week, Month: date.month }
        """;

    private static string WithDataset(string tests) => Dataset.Replace("FLIGHTS", TestFiles.FlightsSample) + "\ntests:\n" + tests;

    private async Task<ModelTestReport> Run(string yaml)
    {
        var suite = ModelTestSuite.Parse(yaml, "tests.yaml", _folder.Path);
        var dataset = await ModelTesting.ResolveDatasetAsync(suite, null, _folder.Path);
        return await ModelTesting.RunAsync(model.Predictor, FlightsModelFixture.ModelUri, suite, dataset);
    }

    private async Task<CheckResult> RunOne(string tests) => Assert.Single((await Run(WithDataset(tests))).Checks);

    [Fact]
    public async Task ExampleTests_PassOnAModelTrainedLikeTheQuickstart()
    {
        var suite = ModelTestSuite.Load(TestFiles.ExampleModelTestsWithoutTimeLimit(_folder.Path));
        var dataset = await ModelTesting.ResolveDatasetAsync(suite, null, null);
        var report = await ModelTesting.RunAsync(model.Predictor, FlightsModelFixture.ModelUri, suite, dataset);
        Assert.True(report.Passed, report.ToText());
        Assert.Equal(7, report.Checks.Count);
    }

    [Fact]
    public async Task MinimumFunctionality_ScoreRangeAndLabel_PassAndFail()
    {
        var pass = await RunOne("""
              - test: minimum_functionality
                dataset_rows: 200
                expect_score: { min: 0, max: 1 }
            """);
        Assert.True(pass.Passed, pass.Observed);
        Assert.Equal("all 200 rows as expected", pass.Observed);

        var fail = await RunOne("""
              - test: minimum_functionality
                name: impossible
                rows:
                  - { Hour: 7, DayOfWeek: 2, Month: 4, Distance: 129, Origin: SEA, Destination: PDX }
                  - { Hour: 19, DayOfWeek: 5, Month: 6, Distance: 802, Origin: ORD, Destination: ATL }
                expect_score: { min: 0.99 }
            """);
        Assert.False(fail.Passed);
        Assert.Equal("minimum_functionality impossible", fail.Check);
        Assert.StartsWith("2 of 2 rows not: row at line ", fail.Observed);

        var label = await RunOne("""
              - test: minimum_functionality
                rows:
                  - { Hour: 7, DayOfWeek: 2, Month: 4, Distance: 129, Origin: SEA, Destination: PDX }
                expect_label: true
            """);
        Assert.False(label.Passed);
        Assert.Contains("label false", label.Observed);
    }

    [Fact]
    public async Task Invariance_SmallChangePasses_LargeChangeFails()
    {
        Assert.True((await RunOne("""
              - test: invariance
                dataset_rows: 200
                perturb: { input: Distance, add: 1 }
                epsilon: 0.05
            """)).Passed);

        var fail = await RunOne("""
              - test: invariance
                dataset_rows: 200
                perturb: { input: Hour, set: 22 }
                epsilon: 0.001
            """);
        Assert.False(fail.Passed);
        Assert.Contains("rows over", fail.Observed);
        Assert.NotEmpty(fail.Details!);
    }

    [Fact]
    public async Task Directional_RightWayPasses_WrongWayFails()
    {
        const string rows = """
                rows:
                  - { Hour: 6, DayOfWeek: 5, Month: 6, Distance: 802, Origin: ORD, Destination: ATL }
                  - { Hour: 6, DayOfWeek: 1, Month: 2, Distance: 1846, Origin: ORD, Destination: SFO }
                  - { Hour: 6, DayOfWeek: 3, Month: 3, Distance: 733, Origin: DFW, Destination: DEN }
                perturb: { input: Hour, set: 19 }
            """;
        var up = await RunOne("  - test: directional\n    direction: up\n" + rows);
        Assert.True(up.Passed, up.Observed);
        var down = await RunOne("  - test: directional\n    direction: down\n" + rows);
        Assert.False(down.Passed);
        Assert.Contains("3 of 3 rows moved against it", down.Observed);
    }

    [Fact]
    public async Task SliceMetric_AucAndAccuracyBySlice_PassAndFail()
    {
        var loose = await RunOne("""
              - test: slice_metric
                metric: auc
                slice_by: origin
                max_drop: 0.2
                min_slice_size: 500
            """);
        Assert.True(loose.Passed, loose.Observed);
        Assert.Matches(@"^overall 0\.\d+; worst origin=[A-Z]{3} ", loose.Observed);

        var strict = await RunOne("""
              - test: slice_metric
                metric: auc
                slice_by: origin
                max_drop: 0
                min_slice_size: 500
            """);
        Assert.False(strict.Passed); // some airport is always below the overall AUC
        Assert.All(strict.Details!, d => Assert.StartsWith("origin=", d));

        var accuracy = await RunOne("""
              - test: slice_metric
                metric: accuracy
                slice_by: Month
                min: 0.99
                min_slice_size: 100
            """);
        Assert.False(accuracy.Passed);
        Assert.Contains("6 slices measured", accuracy.Observed);

        var tooSmall = await RunOne("""
              - test: slice_metric
                metric: auc
                slice_by: origin
                max_drop: 0.1
                min_slice_size: 100000
            """);
        Assert.False(tooSmall.Passed);
        Assert.Contains("no slice could be measured", tooSmall.Observed);
    }

    [Fact]
    public async Task Latency_GenerousBudgetPasses_ZeroBudgetFails()
    {
        var pass = await RunOne("  - test: latency\n    dataset_rows: 5\n    calls: 50\n    max_ms: 60000\n");
        Assert.True(pass.Passed, pass.Observed);
        Assert.Contains("over 50 calls", pass.Observed);
        Assert.False((await RunOne("  - test: latency\n    dataset_rows: 5\n    calls: 20\n    percentile: 50\n    max_ms: 0\n")).Passed);
    }

    [Theory]
    [InlineData("  - test: invariance\n    rows:\n      - { Hour: 1 }\n    perturb: { input: Hour, add: 1 }\n    epsilon: 0.1\n", "line 8: the row lacks the model inputs DayOfWeek, Month, Distance, Origin, Destination")]
    [InlineData("  - test: invariance\n    rows:\n      - { Hour: 1, DayOfWeek: 1, Month: 1, Distance: 1, Origin: A, Destination: B, Wind: 3 }\n    perturb: { input: Hour, add: 1 }\n    epsilon: 0.1\n", "line 8: the model has no input 'Wind'")]
    [InlineData("  - test: invariance\n    rows:\n      - { Hour: noon, DayOfWeek: 1, Month: 1, Distance: 1, Origin: A, Destination: B }\n    perturb: { input: Hour, add: 1 }\n    epsilon: 0.1\n", "input 'Hour': expected a number, not 'noon'")]
    [InlineData("  - test: invariance\n    dataset_rows: 3\n    perturb: { input: Altitude, add: 1 }\n    epsilon: 0.1\n", "line 6: the perturbation names 'Altitude', which is not a model input")]
    [InlineData("  - test: invariance\n    dataset_rows: 3\n    perturb: { input: Origin, scale: 2 }\n    epsilon: 0.1\n", "scale needs a numeric input, and 'Origin' is string")]
    [InlineData("  - test: slice_metric\n    metric: auc\n    slice_by: airline\n    max_drop: 0.1\n", "line 6: 'airline' is not a column")]
    public async Task BadTests_AreBadInputNamingTheLine(string tests, string message)
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => Run(WithDataset(tests)));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("tests.yaml", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task DatasetWithoutAMappedInput_SaysHowToMapIt()
    {
        var yaml = $"dataset:\n  path: {TestFiles.FlightsSample}\n  label: {{ column: delay, above: 15 }}\ntests:\n  - test: slice_metric\n    metric: auc\n    slice_by: origin\n    max_drop: 0.1\n";
        var error = await Assert.ThrowsAsync<CairnException>(() => Run(yaml));
        Assert.Contains("the model input 'Hour' has no column", error.Message);
        Assert.Contains("Hour: <timestamp column>.hour", error.Message);
    }

    [Fact]
    public async Task HostileDataset_NotANumberInAnInput_NamesTheRow()
    {
        var csv = _folder.File("bad.csv");
        File.WriteAllText(csv, "date,delay,distance,origin,destination\n2001-01-01T06:00,4,342,OMA,STL\n2001-01-01T07:00,5,far,OMA,STL\n");
        var yaml = WithDataset("  - test: minimum_functionality\n    dataset_rows: 5\n    expect_score: { min: 0 }\n").Replace(TestFiles.FlightsSample, "bad.csv");
        var error = await Assert.ThrowsAsync<CairnException>(() => Run(yaml));
        Assert.Contains("row 2: the input 'Distance' is 'far', not a number", error.Message);
    }

    [Fact]
    public async Task Dataset_NaNAndMissingInputsAreScored_UnlabelledRowsAreSkipped()
    {
        var csv = _folder.File("gaps.csv");
        File.WriteAllText(csv, "date,delay,distance,origin,destination\n2001-01-01T06:00,40,NaN,OMA,STL\n2001-01-01T07:00,,342,,STL\n2001-01-01T08:00,-3,,ORD,ATL\n");
        var yaml = WithDataset("  - test: minimum_functionality\n    dataset_rows: 5\n    expect_score: { min: 0, max: 1 }\n  - test: slice_metric\n    metric: auc\n    slice_by: destination\n    max_drop: 1\n    min_slice_size: 1\n")
            .Replace(TestFiles.FlightsSample, "gaps.csv");
        var report = await Run(yaml);
        Assert.True(report.Checks[0].Passed, report.Checks[0].Observed);
        Assert.Contains("1 rows without a label skipped", report.Checks[1].Observed);
    }

    [Theory]
    [InlineData("tests: []\n", "'tests' is empty")]
    [InlineData("tests:\n  - test: smoke\n", "line 2: unknown test 'smoke'")]
    [InlineData("tests:\n  - test: invariance\n    rows: [{a: 1}]\n    perturb: { input: a, add: 1, set: 2 }\n    epsilon: 0.1\n", "give exactly one of 'set', 'add' or 'scale'")]
    [InlineData("tests:\n  - test: invariance\n    rows: [{a: 1}]\n    perturb: { input: a, add: lots }\n    epsilon: 0.1\n", "line 4: 'add' must be a number")]
    [InlineData("tests:\n  - test: directional\n    rows: [{a: 1}]\n    perturb: { input: a, add: 1 }\n    direction: sideways\n", "line 5: 'direction' must be up or down")]
    [InlineData("tests:\n  - test: latency\n    dataset_rows: 3\n    max_ms: 5\n", "line 2: the latency test reads the dataset, but the file has no 'dataset' section")]
    [InlineData("tests:\n  - test: latency\n    rows: [{a: 1}]\n", "'latency' needs 'max_ms'")]
    [InlineData("tests:\n  - test: slice_metric\n    metric: f1\n", "line 3: unknown metric 'f1'")]
    [InlineData("tests:\n  - test: minimum_functionality\n    rows: [{a: 1}]\n", "needs 'expect_label', 'expect_score' or both")]
    [InlineData("tests:\n  - test: minimum_functionality\n    rows: [{a: 1}]\n    dataset_rows: 2\n    expect_label: x\n", "not both")]
    [InlineData("tests:\n  - test: invariance\n   rows: [\n", "not valid YAML")]
    public void ParseTests_WrongContent_SaysWhatAndWhere(string yaml, string message)
    {
        var error = Assert.Throws<CairnException>(() => ModelTestSuite.Parse(yaml, "tests.yaml"));
        Assert.Contains("tests.yaml", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public async Task UnknownScoreOutput_IsBadInput()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => Run("score: Risk\ntests:\n  - test: minimum_functionality\n    rows: [{Hour: 1}]\n    expect_label: true\n"));
        Assert.Contains("the score output 'Risk' is not an output of the model", error.Message);
    }

    [Fact]
    public async Task LoadAsync_FolderAndUri_AndNonsense()
    {
        using var client = model.Open();
        var folder = _folder.File("package");
        await client.DownloadArtifactsAsync(RunUri.Parse($"runs:/{model.RunId}/model"), folder);
        using (var fromFolder = await ModelTesting.LoadAsync(null, folder))
            Assert.Equal("mlnet", fromFolder.Flavor);
        using (var fromUri = await ModelTesting.LoadAsync(client, "models:/delay/1"))
            Assert.Contains("Probability", fromUri.Signature.Outputs.Select(o => o.Name));
        await Assert.ThrowsAsync<CairnException>(() => ModelTesting.LoadAsync(client, _folder.File("nowhere")));
        await Assert.ThrowsAsync<CairnException>(() => ModelTesting.LoadAsync(null, "models:/delay/1"));
    }

    [Fact]
    public async Task DatasetFromDataSourceOverride_IsUsedInsteadOfTheFile()
    {
        var csv = _folder.File("two.csv");
        File.WriteAllText(csv, "date,delay,distance,origin,destination\n2001-01-01T06:00,40,342,OMA,STL\n2001-01-01T07:00,1,342,OMA,STL\n");
        var suite = ModelTestSuite.Parse(WithDataset("  - test: minimum_functionality\n    dataset_rows: 100\n    expect_score: { min: 0 }\n"), "tests.yaml");
        var report = await ModelTesting.RunAsync(model.Predictor, "m", suite, DataSource.FromFile(csv));
        Assert.Equal("all 2 rows as expected", report.Checks[0].Observed);
    }
}
