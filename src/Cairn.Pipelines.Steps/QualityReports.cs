using Cairn.Quality;

namespace Cairn.Pipelines.Steps;

/// <summary>What the quality steps do with a report: log it, count it on the run, and fail the step on a failed check unless told not to.</summary>
internal static class QualityReports
{
    public static async Task RecordAsync(StepContext context, QualityReport report, string artifactName, bool failOnError, CancellationToken ct)
    {
        var client = StepRunLog.Client(context);
        var text = report.ToText();
        context.Log.Write(text);
        var run = await client.Tracking.GetRunAsync(context.StepRunId, ct).ConfigureAwait(false);
        using (var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)))
            await client.Artifacts.PutAsync(Cairn.Artifacts.ArtifactPath.Combine(Cairn.Artifacts.ArtifactPath.FromUri(run.Info.ArtifactUri), artifactName), stream, ct)
                .ConfigureAwait(false);
        await StepRunLog.MetricsAsync(client, context.StepRunId, new Dictionary<string, double>
        {
            ["checks"] = report.Checks.Count, ["failed_checks"] = report.FailedCount,
        }, ct).ConfigureAwait(false);
        context.SetOutput("passed", report.Passed ? "true" : "false");
        context.SetOutput("failed", report.FailedCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!report.Passed && failOnError)
        {
            var failed = report.Checks.Where(c => !c.Passed).Select(c => $"{c.Check} (expected {c.Expected}, observed {c.Observed})");
            throw new StepFailedException($"step '{context.StepName}': {report.FailedCount} of {report.Checks.Count} checks failed: {string.Join("; ", failed)}.");
        }
    }

    /// <summary>A quality file named by an argument: in the workspace, parsed with its own errors (file and line).</summary>
    public static T Load<T>(StepContext context, string argument, Func<string, T> load)
    {
        var path = context.WorkspacePath(context.Require(argument));
        try
        {
            return load(path);
        }
        catch (CairnException e)
        {
            throw StepArgs.Invalid(context, argument, $"({context.Require(argument)}) cannot be used: {e.Message}");
        }
    }
}
