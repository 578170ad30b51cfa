using System.Diagnostics;
using System.Text.Json;
using Cairn.Testing;
using static Cairn.Quality.Tests.TestFiles;

namespace Cairn.Quality.Tests;

/// <summary>The three gate commands through the real CLI: exit 0 pass, 1 fail, 2 bad input.</summary>
public sealed class QualityCliTests(FlightsModelFixture model) : IClassFixture<FlightsModelFixture>, IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string text)
    {
        var path = _folder.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task ValidateData_ExampleExpectations_ExitZeroWithALinePerCheck()
    {
        var (exit, output, error) = await RunCli("validate-data", FlightsSample, "--expectations", ExampleExpectations);
        Assert.True(exit == 0, error + output);
        Assert.Contains("Data " + FlightsSample + ": 29,697 rows.", output);
        Assert.Contains("PASS  range distance: expected between 1 and 5100; observed min 31, max 4962", output);
        Assert.Contains("PASSED: 17 of 17 checks passed.", output);
    }

    [Fact]
    public async Task ValidateData_FailingExpectation_ExitOne_AndJsonSaysWhich()
    {
        var expectations = Write("e.yaml", "expectations:\n  - expect: range\n    column: distance\n    max: 3000\n  - expect: row_count\n    min: 1\n");
        var (exit, output, _) = await RunCli("validate-data", FlightsSample, "--expectations", expectations);
        Assert.Equal(1, exit);
        Assert.Contains("FAIL  range distance", output);

        (exit, output, _) = await RunCli("validate-data", FlightsSample, "-e", expectations, "--json");
        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(29697, json.RootElement.GetProperty("rows").GetInt64());
        var checks = json.RootElement.GetProperty("checks").EnumerateArray().ToList();
        Assert.False(checks[0].GetProperty("passed").GetBoolean());
        Assert.Equal(2, checks[0].GetProperty("line").GetInt32());
        Assert.True(checks[1].GetProperty("passed").GetBoolean());
    }

    [Theory]
    [InlineData("missing-data")]
    [InlineData("missing-expectations")]
    [InlineData("malformed")]
    [InlineData("unknown-column")]
    [InlineData("empty-data")]
    public async Task ValidateData_BadInput_ExitTwoWithOneLine(string problem)
    {
        var good = Write("good.yaml", "expectations:\n  - expect: row_count\n    min: 1\n");
        var (data, expectations, message) = problem switch
        {
            "missing-data" => (_folder.File("none.csv"), good, "does not exist"),
            "missing-expectations" => (FlightsSample, _folder.File("none.yaml"), "does not exist"),
            "malformed" => (FlightsSample, Write("bad.yaml", "expectations:\n  - expect: range\n    column: delay\n    min: [0\n"), "bad.yaml line 5"),
            "unknown-column" => (FlightsSample, Write("col.yaml", "expectations:\n  - expect: not_null\n    column: airline\n"), "line 2: not_null names the column 'airline'"),
            _ => (Write("empty.csv", ""), good, "is empty"),
        };
        var (exit, output, error) = await RunCli("validate-data", data, "--expectations", expectations);
        Assert.True(exit == 2, $"exit {exit}: {error}{output}");
        Assert.StartsWith("error: ", error);
        Assert.Contains(message, error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task ValidateData_DatasetVersion_ReadFromTheDataCache_EvenWhenTheWorkspaceFileChanged()
    {
        var repo = _folder.File("repo");
        Directory.CreateDirectory(Path.Combine(repo, "data"));
        Git(repo, "init", "-q", "-b", "main", ".");
        File.Copy(FlightsSample, Path.Combine(repo, "data", "flights.csv"));
        var store = _folder.File("store");
        Assert.Equal(0, (await RunCli("--tracking-uri", store, "data", "-C", repo, "add", "data/flights.csv")).Exit);
        Git(repo, "add", "-A");
        Git(repo, "commit", "-q", "-m", "flights");
        var tag = await RunCli("--tracking-uri", store, "data", "-C", repo, "tag", "data/flights.csv", "flights");
        Assert.True(tag.Exit == 0, tag.Err);
        File.WriteAllText(Path.Combine(repo, "data", "flights.csv"), "date,delay\n"); // the workspace moved on; the version did not

        var (exit, output, error) = await RunCli("--tracking-uri", store, "validate-data", "data:/flights@1", "--expectations", ExampleExpectations, "-C", repo);
        Assert.True(exit == 0, error + output);
        Assert.Contains("Data data:/flights@1: 29,697 rows.", output);

        var unknown = await RunCli("--tracking-uri", store, "validate-data", "data:/flights@9", "--expectations", ExampleExpectations, "-C", repo);
        Assert.Equal(2, unknown.Exit);

        // Elsewhere (no workspace with the bytes), the error says where the data must be.
        var outside = _folder.File("elsewhere");
        Directory.CreateDirectory(outside);
        Git(outside, "init", "-q", "-b", "main", ".");
        var missing = await RunCli("--tracking-uri", store, "validate-data", "data:/flights@1", "--expectations", ExampleExpectations, "-C", outside);
        Assert.Equal(2, missing.Exit);
        Assert.Contains("is not on this machine", missing.Err);
        Assert.Contains("cairn data pull data/flights.csv", missing.Err);
    }

    private static void Git(string directory, params string[] args) => global::Cairn.Testing.GitCommand.Run(directory, args);

    [Fact]
    public async Task TestModel_ExampleTests_ExitZero_StrictSliceExitOne_BadFileExitTwo()
    {
        var (exit, output, error) = await RunCli("--tracking-uri", model.Store, "test-model", FlightsModelFixture.ModelUri, "--tests", ExampleModelTestsWithoutTimeLimit(_folder.Path));
        Assert.True(exit == 0, error + output);
        Assert.Contains("PASS  slice_metric no large airport is served much worse", output);
        Assert.Contains("PASSED: 7 of 7 checks passed.", output);

        var strict = Write("strict.yaml", $"dataset:\n  path: {FlightsSample}\n  label: {{ column: delay, above: 15 }}\n  inputs: {{ Hour: date.hour, DayOfWeek: date.day_of_week, Month: date.month }}\n" +
            "tests:\n  - test: slice_metric\n    metric: auc\n    slice_by: origin\n    max_drop: 0\n    min_slice_size: 500\n");
        (exit, output, _) = await RunCli("--tracking-uri", model.Store, "test-model", FlightsModelFixture.ModelUri, "--tests", strict, "--json");
        Assert.Equal(1, exit);
        using (var json = JsonDocument.Parse(output)) Assert.False(json.RootElement.GetProperty("passed").GetBoolean());

        var bad = Write("bad-tests.yaml", "tests:\n  - test: latency\n    rows: [{Hour: 1}]\n    max_ms: [\n");
        (exit, _, error) = await RunCli("--tracking-uri", model.Store, "test-model", FlightsModelFixture.ModelUri, "--tests", bad);
        Assert.Equal(2, exit);
        Assert.Contains("bad-tests.yaml line", error);

        (exit, _, error) = await RunCli("--tracking-uri", model.Store, "test-model", "models:/delay@nobody", "--tests", ExampleModelTests);
        Assert.Equal(2, exit);
        Assert.Contains("delay", error);
    }

    [Fact]
    public async Task TestModel_DataOption_ReplacesTheDataset()
    {
        var csv = Write("few.csv", "date,delay,distance,origin,destination\n2001-01-01T06:00,40,342,OMA,STL\n");
        var tests = Write("t.yaml", $"dataset:\n  path: {_folder.File("absent.csv")}\n  inputs: {{ Hour: date.hour, DayOfWeek: date.day_of_week, Month: date.month }}\ntests:\n  - test: minimum_functionality\n    dataset_rows: 10\n    expect_score: {{ min: 0, max: 1 }}\n");
        var (exit, output, error) = await RunCli("--tracking-uri", model.Store, "test-model", FlightsModelFixture.ModelUri, "--tests", tests, "--data", csv);
        Assert.True(exit == 0, error + output);
        Assert.Contains("all 1 rows as expected", output);
    }

    [Fact]
    public async Task Gate_PassFailAndBadInput()
    {
        string runId;
        using (var client = model.Open())
        using (var run = client.StartRun("delay"))
        {
            run.LogMetric("auc", 0.698);
            runId = run.RunId;
        }
        var (exit, output, error) = await RunCli("--tracking-uri", model.Store, "gate", "--run", runId, "metrics.auc >= models:/delay@champion.metrics.auc - 0.005");
        Assert.True(exit == 0, error + output);
        Assert.Contains("PASS  metrics.auc >= models:/delay@champion.metrics.auc - 0.005: 0.698 >= 0.695, passes", output);

        (exit, output, _) = await RunCli("--tracking-uri", model.Store, "gate", "--run", runId, "metrics.auc >= models:/delay@champion.metrics.auc", "--json");
        Assert.Equal(1, exit);
        using (var json = JsonDocument.Parse(output))
        {
            Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
            Assert.Contains("fails", json.RootElement.GetProperty("details")[0].GetString());
        }

        Assert.Equal(0, (await RunCli("--tracking-uri", model.Store, "gate", "--run", runId, "metrics.auc >= models:/delay@shadow.metrics.auc")).Exit);
        Assert.Equal(2, (await RunCli("--tracking-uri", model.Store, "gate", "--run", runId, "metrics.auc >=")).Exit);
        Assert.Equal(2, (await RunCli("--tracking-uri", model.Store, "gate", "--run", runId, "metrics.aucc > 0")).Exit);
        var unknownRun = await RunCli("--tracking-uri", model.Store, "gate", "--run", new string('f', 32), "metrics.auc > 0");
        Assert.Equal(2, unknownRun.Exit);
        Assert.StartsWith("error: ", unknownRun.Err);
    }
}
