namespace Cairn.Tracking;

/// <summary>The logged models a run produced, as the SDK and the web UI list them.</summary>
public static class RunModels
{
    /// <summary>
    /// Those whose source run it is, and those it logged as outputs (MLflow's log-outputs), oldest first.
    /// </summary>
    public static async Task<IReadOnlyList<LoggedModel>> ListAsync(Run run, ILoggedModelStore models, CancellationToken ct = default)
    {
        var runId = run.Info.RunId;
        var found = new Dictionary<string, LoggedModel>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await models.SearchLoggedModelsAsync(new LoggedModelQuery([run.Info.ExperimentId],
                $"source_run_id = '{runId.Replace("'", "''", StringComparison.Ordinal)}'", MaxResults: 1000, PageToken: token), ct).ConfigureAwait(false);
            foreach (var model in page.Items) found[model.Info.ModelId] = model;
            token = page.NextPageToken;
        } while (token is not null);
        foreach (var output in run.Outputs?.ModelOutputs ?? [])
            if (!found.ContainsKey(output.ModelId))
            {
                try { found[output.ModelId] = await models.GetLoggedModelAsync(output.ModelId, ct).ConfigureAwait(false); }
                catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist) { } // deleted since
            }
        return found.Values.OrderBy(m => m.Info.CreationTimestampMs).ThenBy(m => m.Info.ModelId, StringComparer.Ordinal).ToList();
    }
}
