namespace Cairn.Tracking;

/// <summary>
/// Run ids as people type them: the full 32 characters, or a unique prefix of at least
/// <see cref="MinimumPrefixLength"/> (such as the 8-character ids that tables show), as git takes
/// commit ids. Written over the store interface, so it works the same on every backend.
/// </summary>
public static class RunIds
{
    public const int MinimumPrefixLength = 4;

    /// <summary>How many runs an ambiguous prefix lists.</summary>
    private const int Candidates = 5;

    /// <summary>Experiments searched per run search, well under the databases' limits on bound parameters.</summary>
    private const int ExperimentsPerSearch = 1000;

    /// <summary>The full id of the run that <paramref name="idOrPrefix"/> names. A full id is returned unchecked.</summary>
    /// <exception cref="CairnException">
    /// Not found when no run id starts with the prefix; invalid when it is not hex, is too short,
    /// or starts several run ids (the message lists them).
    /// </exception>
    public static async Task<string> ResolveRunIdAsync(this ITrackingStore store, string idOrPrefix, CancellationToken ct = default)
    {
        var prefix = idOrPrefix.Trim().ToLowerInvariant();
        if (Ids.IsValid(prefix)) return prefix;
        if (prefix.Length is < MinimumPrefixLength or > 32 || !prefix.All(char.IsAsciiHexDigitLower))
            throw CairnException.InvalidParameter(
                $"'{idOrPrefix}' is not a 32-character hex run id or a prefix of one (at least {MinimumPrefixLength} characters).");

        // MLflow's search needs experiment ids: search the runs of every experiment, deleted ones too.
        var matches = new List<Run>();
        string? token = null;
        do
        {
            var experiments = await store.SearchExperimentsAsync(
                new ExperimentQuery(ViewType: ViewType.All, MaxResults: ExperimentsPerSearch, PageToken: token), ct).ConfigureAwait(false);
            if (experiments.Items.Count > 0)
            {
                var runs = await store.SearchRunsAsync(new RunQuery(experiments.Items.Select(e => e.ExperimentId).ToList(),
                    $"attributes.run_id LIKE '{prefix}%'", ViewType.All, Candidates + 1), ct).ConfigureAwait(false);
                matches.AddRange(runs.Items);
            }
            token = experiments.NextPageToken;
        } while (token is not null && matches.Count <= Candidates);

        return matches.Count switch
        {
            0 => throw CairnException.NotFound($"No run id starts with '{prefix}'."),
            1 => matches[0].Info.RunId,
            _ => throw CairnException.InvalidParameter(
                $"'{prefix}' starts {(matches.Count > Candidates ? $"more than {Candidates}" : matches.Count.ToString(System.Globalization.CultureInfo.InvariantCulture))} run ids; give more characters. " +
                string.Join(", ", matches.Take(Candidates).Select(r => $"{r.Info.RunId} ({r.Info.RunName})"))),
        };
    }

    /// <summary>A <c>runs:/</c> URI whose run id may be a prefix, with the run's full id.</summary>
    public static async Task<RunUri> ResolveRunUriAsync(this ITrackingStore store, string uri, CancellationToken ct = default)
    {
        var (runId, path) = RunUri.Split(uri);
        return new RunUri(await store.ResolveRunIdAsync(runId, ct).ConfigureAwait(false), path);
    }
}
