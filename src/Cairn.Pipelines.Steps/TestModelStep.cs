using Cairn.Quality;
using Cairn.Quality.ModelTests;
using Cairn.Quality.Tables;

namespace Cairn.Pipelines.Steps;

/// <summary>
/// <c>uses: test-model</c>: runs a behavioural test suite against a model, as <c>cairn test-model</c>
/// does; a failed test fails the step (unless <c>fail: false</c>).
/// </summary>
/// <remarks>
/// with: <c>model</c> (<c>runs:/...</c> or <c>models:/...</c>), <c>tests</c> (YAML, see docs/quality.md),
/// <c>data</c> (the labelled dataset, instead of the one the tests file names), <c>fail</c> (default true).
/// Outputs: <c>passed</c>, <c>failed</c>. The report is the artifact <c>model-tests.txt</c>.
/// </remarks>
public sealed class TestModelStep : IPipelineStep
{
    public const string Kind = "test-model";

    public async Task RunAsync(StepContext context, CancellationToken ct)
    {
        StepArgs.RequireKnown(context, Kind, "model", "tests", "data", "fail");
        var client = StepRunLog.Client(context);
        var suite = QualityReports.Load(context, "tests", ModelTestSuite.Load);
        var fail = StepArgs.Bool(context, "fail", true);
        var model = context.Require("model");
        using var loaded = await ModelSteps.LoadAsync(context, client, "model", ct).ConfigureAwait(false);
        DataSource? dataset;
        if (context.Optional("data") is not null) dataset = await StepArgs.TableAsync(context, "data", "testing", ct).ConfigureAwait(false);
        else
        {
            try
            {
                dataset = await ModelTesting.ResolveDatasetAsync(suite, client, context.Workspace, ct).ConfigureAwait(false);
            }
            catch (CairnException e)
            {
                throw StepArgs.Invalid(context, "tests", $"({context.Require("tests")}) names a dataset that cannot be read: {e.Message}");
            }
        }
        ModelTestReport report;
        try
        {
            report = await ModelTesting.RunAsync(loaded, model, suite, dataset, ct).ConfigureAwait(false);
        }
        catch (CairnException e)
        {
            throw new StepFailedException($"step '{context.StepName}': the tests in {context.Require("tests")} cannot run against {model}: {e.Message}");
        }
        await StepRunLog.ParamsAsync(context, new Dictionary<string, string> { ["model"] = model, ["tests"] = context.Require("tests") }, ct).ConfigureAwait(false);
        await QualityReports.RecordAsync(context, report, "model-tests.txt", fail, ct).ConfigureAwait(false);
    }
}
