using System.Text.RegularExpressions;
using Cairn.Quality.Gates;

namespace Cairn.Pipelines.Steps;

/// <summary>
/// <c>uses: gate</c>: evaluates a metric gate over a run, such as
/// <c>metrics.auc &gt;= models:/delay@champion.metrics.auc - 0.005</c> (the syntax of <c>cairn gate</c>).
/// A gate that does not hold fails the step, so nothing downstream (register, deploy) runs.
/// </summary>
/// <remarks>
/// with: <c>run</c> (a run id or <c>runs:/id/...</c>, e.g. the <c>run_id</c> output of evaluate),
/// <c>condition</c>, <c>no_champion</c> (<c>pass</c>, the default: a gate against an alias nobody holds
/// yet passes, so a first run is not blocked; or <c>fail</c>), <c>fail</c> (default true).
/// Outputs: <c>passed</c>, <c>details</c>.
/// </remarks>
public sealed partial class GateStep : IPipelineStep
{
    public const string Kind = "gate";

    [GeneratedRegex(@"models:/([A-Za-z0-9_.-]+)@([A-Za-z0-9_-]+)")]
    private static partial Regex AliasReference();

    public async Task RunAsync(StepContext context, CancellationToken ct)
    {
        StepArgs.RequireKnown(context, Kind, "run", "condition", "no_champion", "fail");
        var client = StepRunLog.Client(context);
        var run = context.Require("run");
        var runId = run.StartsWith(RunUri.Scheme, StringComparison.Ordinal) ? RunUri.Parse(run).RunId : run;
        var condition = context.Require("condition");
        var fail = StepArgs.Bool(context, "fail", true);
        var noChampion = context.Optional("no_champion") ?? "pass";
        if (noChampion is not ("pass" or "fail")) throw StepArgs.Invalid(context, "no_champion", $"is '{noChampion}': write pass or fail.");

        var unheld = new List<string>();
        foreach (Match m in AliasReference().Matches(condition))
        {
            try
            {
                await client.Registry.GetModelVersionByAliasAsync(m.Groups[1].Value, m.Groups[2].Value, ct).ConfigureAwait(false);
            }
            catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
            {
                unheld.Add(m.Value);
            }
        }
        Cairn.Registry.GateResult result;
        try
        {
            result = await RunGate.EvaluateAsync(client, runId, condition, ct).ConfigureAwait(false);
        }
        catch (CairnException e)
        {
            throw StepArgs.Invalid(context, e.ErrorCode == ErrorCodes.ResourceDoesNotExist ? "run" : "condition", $"cannot be evaluated: {e.Message}");
        }
        var passed = result.Passed && (noChampion == "pass" || unheld.Count == 0);
        var details = result.Details.Concat(unheld.Distinct().Select(u => $"{u} is held by no version ({(noChampion == "pass" ? "passes" : "fails")})")).ToList();
        foreach (var d in details) context.Log.WriteLine(d);
        await StepRunLog.ParamsAsync(context, new Dictionary<string, string> { ["gate.run"] = runId, ["gate.condition"] = condition }, ct).ConfigureAwait(false);
        await StepRunLog.MetricsAsync(client, context.StepRunId, new Dictionary<string, double> { ["gate_passed"] = passed ? 1 : 0 }, ct).ConfigureAwait(false);
        context.SetOutput("passed", passed ? "true" : "false");
        context.SetOutput("details", string.Join("; ", details));
        if (!passed && fail)
            throw new StepFailedException($"step '{context.StepName}': the gate '{condition}' does not hold for run {runId}: {string.Join("; ", details)}.");
    }
}
