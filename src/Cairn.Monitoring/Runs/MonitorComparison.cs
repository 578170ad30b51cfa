using Cairn.Quality.Tables;

namespace Cairn.Monitoring;

/// <summary>
/// Offline comparison of two tables (<c>cairn monitor compare data:/flights@3 data:/flights@4</c>):
/// drift and data quality of the columns both have (or the named ones), with a monitor's settings.
/// </summary>
public static class MonitorComparison
{
    /// <param name="client">Resolves <c>data:/</c> URIs; null when both are files.</param>
    public static async Task<MonitorReport> CompareAsync(string reference, string current, DriftSettings? drift, IReadOnlyList<string>? features,
        CairnClient? client, string workspace, CancellationToken ct)
    {
        var referenceSource = await DataSource.ResolveAsync(reference, client, workspace, ct).ConfigureAwait(false);
        var currentSource = await DataSource.ResolveAsync(current, client, workspace, ct).ConfigureAwait(false);
        var referenceColumns = await TableReading.ColumnsOfAsync(referenceSource, ct).ConfigureAwait(false);
        var currentNames = (await TableReading.ColumnsOfAsync(currentSource, ct).ConfigureAwait(false)).Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<MonitoredColumn> columns;
        if (features is { Count: > 0 })
        {
            var byName = referenceColumns.ToDictionary(c => c.Name, StringComparer.Ordinal);
            var missing = features.Where(f => !byName.ContainsKey(f) || !currentNames.Contains(f)).ToList();
            if (missing.Count > 0)
                throw CairnException.InvalidParameter($"Both tables must have the column {string.Join(", ", missing)}: {reference} has {string.Join(", ", byName.Keys)}; {current} has {string.Join(", ", currentNames)}.");
            columns = features.Select(f => byName[f]).ToList();
        }
        else
        {
            columns = referenceColumns.Where(c => currentNames.Contains(c.Name)).ToList();
            if (columns.Count == 0)
                throw CairnException.InvalidParameter($"{reference} and {current} share no column: {string.Join(", ", referenceColumns.Select(c => c.Name))} against {string.Join(", ", currentNames)}.");
        }
        var spec = new MonitorSpec("compare", "models:/none/1", Drift: drift);
        columns = MonitoredColumns.WithKinds(spec, columns);
        var referenceProfile = new WindowProfile(columns);
        var currentProfile = new WindowProfile(columns);
        long referenceRows, currentRows;
        await using (var referenceTable = await referenceSource.OpenAsync(ct).ConfigureAwait(false))
            referenceRows = await TableReading.ReadAsync(referenceTable, columns, referenceProfile, ct).ConfigureAwait(false);
        await using (var currentTable = await currentSource.OpenAsync(ct).ConfigureAwait(false))
            currentRows = await TableReading.ReadAsync(currentTable, columns, currentProfile, ct).ConfigureAwait(false);
        var statistics = MonitorStatistics.Compute(referenceProfile, currentProfile, spec, null, null);
        return new MonitorReport("compare", "", null, referenceSource.Description, currentSource.Description, 0, 0, referenceRows, currentRows,
            statistics.Drift, statistics.Quality, null, statistics.Values, []);
    }
}
