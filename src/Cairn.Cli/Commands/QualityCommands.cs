using System.CommandLine;
using Cairn.Data;
using Cairn.Quality;
using Cairn.Quality.Gates;
using Cairn.Quality.ModelTests;
using Cairn.Quality.Tables;
using Cairn.Quality.Validation;

namespace Cairn.Cli.Commands;

/// <summary>
/// The quality gates: <c>validate-data</c>, <c>test-model</c> and <c>gate</c>. Each exits 0 when
/// every check passes, 1 when one fails, and 2 when the input cannot be checked (a missing file,
/// malformed YAML, an unknown column, run or model), so CI can tell a failed gate from a broken one.
/// </summary>
internal static class QualityCommands
{
    private static Option<bool> Json() => new("--json") { Description = "Print the report as JSON." };

    private static Option<string?> Directory() => new("--directory", "-C")
    {
        Description = "The folder data:/ versions are resolved in (its git workspace's data cache); default: the current folder.",
    };

    public static Command ValidateData(TextWriter stdout)
    {
        var data = new Argument<string>("data") { Description = "A CSV or Parquet file, or a dataset version data:/<name>@<version>." };
        var expectations = new Option<string>("--expectations", "-e") { Description = "The expectations file (YAML).", Required = true };
        var json = Json();
        var directory = Directory();
        var command = new Command("validate-data", "Check a data file or dataset version against expectations: schema, nulls, ranges, allowed values, uniqueness, row count, freshness, distribution.")
            { data, expectations, json, directory };
        command.SetAction((parse, ct) => AsGate(async () =>
        {
            var file = Expectations.Load(parse.GetValue(expectations)!);
            var location = parse.GetValue(data)!;
            var folder = parse.GetValue(directory) ?? System.IO.Directory.GetCurrentDirectory();
            using var client = DataUri.IsDataUri(location) ? OpenClient(parse, folder) : null;
            var source = await DataSource.ResolveAsync(location, client, folder, ct);
            var report = await DataValidation.RunAsync(source, file, ct: ct);
            Print(stdout, parse.GetValue(json), report, new { passed = report.Passed, data = report.Subject, expectations = file.Source, rows = report.Rows, checks = report.Checks });
            return report.Passed ? 0 : 1;
        }));
        return command;
    }

    public static Command TestModel(TextWriter stdout)
    {
        var model = new Argument<string>("model") { Description = "models:/<name>/<version>, models:/<name>@<alias>, runs:/<run_id>/<path>, or a model package folder." };
        var tests = new Option<string>("--tests", "-t") { Description = "The model tests file (YAML).", Required = true };
        var data = new Option<string?>("--data") { Description = "The labelled dataset to use instead of the one the tests file names (a file or data:/<name>@<version>)." };
        var json = Json();
        var directory = Directory();
        var command = new Command("test-model", "Run behavioural tests against a model: minimum functionality, invariance, directional expectations, per-slice metrics, latency.")
            { model, tests, data, json, directory };
        command.SetAction((parse, ct) => AsGate(async () =>
        {
            var suite = ModelTestSuite.Load(parse.GetValue(tests)!);
            var reference = parse.GetValue(model)!;
            var folder = parse.GetValue(directory) ?? System.IO.Directory.GetCurrentDirectory();
            var dataLocation = parse.GetValue(data) ?? suite.Dataset?.Location;
            var needsStore = !System.IO.Directory.Exists(reference) || (dataLocation is not null && DataUri.IsDataUri(dataLocation));
            // The store `cairn models` uses, so the same URIs resolve here.
            using var client = needsStore ? GlobalOptions.OpenClient(parse) : null;
            using var predictor = await ModelTesting.LoadAsync(client, reference, ct);
            var dataset = dataLocation is null ? null
                : parse.GetValue(data) is { } given ? await DataSource.ResolveAsync(given, client, folder, ct)
                : await ModelTesting.ResolveDatasetAsync(suite, client, folder, ct);
            var report = await ModelTesting.RunAsync(predictor, reference, suite, dataset, ct);
            Print(stdout, parse.GetValue(json), report, new { passed = report.Passed, model = reference, tests = suite.Source, checks = report.Checks });
            return report.Passed ? 0 : 1;
        }));
        return command;
    }

    public static Command Gate(TextWriter stdout)
    {
        var run = new Option<string>("--run") { Description = "The run whose metrics and params the gate reads.", Required = true };
        var expression = new Argument<string>("expression") { Description = "e.g. \"metrics.auc >= models:/delay@champion.metrics.auc - 0.005 and metrics.latency_ms < 20\"." };
        var json = Json();
        var command = new Command("gate", "Evaluate a metric gate over a run, against registered model versions (models:/name@alias.metrics.x).") { run, expression, json };
        command.SetAction((parse, ct) => AsGate(async () =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var runId = parse.GetValue(run)!;
            var result = await RunGate.EvaluateAsync(client, runId, parse.GetValue(expression)!, ct);
            if (parse.GetValue(json))
            {
                Output.Json(stdout, new { passed = result.Passed, run_id = runId, gate = parse.GetValue(expression), details = result.Details });
            }
            else
            {
                foreach (var detail in result.Details) stdout.WriteLine($"{(detail.EndsWith("fails", StringComparison.Ordinal) ? "FAIL" : "PASS")}  {detail}");
                stdout.WriteLine(result.Passed ? $"PASSED: run {runId} meets the gate." : $"FAILED: run {runId} does not meet the gate.");
            }
            return result.Passed ? 0 : 1;
        }));
        return command;
    }

    /// <summary>Unknown runs, models and datasets are bad input here (exit 2), not a failed gate, and not the CLI's usual 3.</summary>
    private static async Task<int> AsGate(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            throw CairnException.InvalidParameter(e.Message);
        }
    }

    private static void Print(TextWriter stdout, bool json, QualityReport report, object jsonBody)
    {
        if (json) Output.Json(stdout, jsonBody);
        else stdout.Write(report.ToText());
    }

    /// <summary>As cairn data: --tracking-uri, $CAIRN_TRACKING_URI, or the .cairn at the root of the git repository holding <paramref name="folder"/>.</summary>
    private static CairnClient OpenClient(ParseResult parse, string folder)
    {
        var uri = parse.GetValue(GlobalOptions.TrackingUri) ?? Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable);
        if (uri is null)
        {
            try
            {
                using var git = GitHistory.Open(folder);
                uri = Path.Combine(git.Root, DataWorkspace.FolderName);
            }
            catch (CairnException)
            {
                // Not in a repository: the default store (./.cairn).
            }
        }
        return CairnClient.Open(uri);
    }
}
