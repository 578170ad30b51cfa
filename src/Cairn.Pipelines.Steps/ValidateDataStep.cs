using Cairn.Quality;
using Cairn.Quality.Validation;

namespace Cairn.Pipelines.Steps;

/// <summary>
/// <c>uses: validate-data</c>: checks a table against an expectations file, as <c>cairn validate-data</c>
/// does; a failed expectation fails the step (unless <c>fail: false</c>).
/// </summary>
/// <remarks>
/// with: <c>data</c> (a CSV or Parquet file, or <c>data:/name@N</c>), <c>expectations</c> (YAML, see docs/quality.md),
/// <c>fail</c> (default true). Outputs: <c>passed</c>, <c>failed</c>, <c>rows</c>. The report is the artifact <c>validation.txt</c>.
/// </remarks>
public sealed class ValidateDataStep : IPipelineStep
{
    public const string Kind = "validate-data";

    public async Task RunAsync(StepContext context, CancellationToken ct)
    {
        StepArgs.RequireKnown(context, Kind, "data", "expectations", "fail");
        var expectations = QualityReports.Load(context, "expectations", Expectations.Load);
        var fail = StepArgs.Bool(context, "fail", true);
        var source = await StepArgs.TableAsync(context, "data", "validation", ct).ConfigureAwait(false);
        ValidationReport report;
        try
        {
            report = await DataValidation.RunAsync(source, expectations, ct: ct).ConfigureAwait(false);
        }
        catch (CairnException e)
        {
            throw new StepFailedException($"step '{context.StepName}': {context.Require("data")} cannot be checked against {context.Require("expectations")}: {e.Message}");
        }
        context.SetOutput("rows", report.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await StepRunLog.MetricsAsync(StepRunLog.Client(context), context.StepRunId, new Dictionary<string, double> { ["rows"] = report.Rows }, ct).ConfigureAwait(false);
        await QualityReports.RecordAsync(context, report, "validation.txt", fail, ct).ConfigureAwait(false);
    }
}
