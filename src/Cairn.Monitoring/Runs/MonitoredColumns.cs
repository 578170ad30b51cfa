namespace Cairn.Monitoring;

/// <summary>Which columns a run compares, and how: the monitor's features, or what the reference and the log share.</summary>
public static class MonitoredColumns
{
    /// <exception cref="CairnException">A named feature missing from the reference or the log; a reference that shares no column with the log.</exception>
    public static IReadOnlyList<MonitoredColumn> Choose(MonitorSpec spec, ReferenceSource reference, IReadOnlyList<MonitoredColumn> referenceColumns,
        InferenceLogWindow current, IReadOnlyList<MonitoredColumn> loggedColumns)
    {
        var inReference = referenceColumns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var logged = loggedColumns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        List<MonitoredColumn> chosen;
        if (spec.Features is { Count: > 0 } features)
        {
            var notInReference = features.Where(f => !inReference.ContainsKey(f)).ToList();
            if (notInReference.Count > 0)
                throw CairnException.InvalidParameter($"The reference {reference} has no column {string.Join(", ", notInReference)}; its columns: {string.Join(", ", inReference.Keys)}.");
            var notLogged = logged.Count == 0 ? [] : features.Where(f => !logged.Contains(f)).ToList();
            if (notLogged.Count > 0)
                throw CairnException.InvalidParameter($"The model does not have the column {string.Join(", ", notLogged)}: {current} logs {string.Join(", ", logged)}.");
            chosen = features.Select(f => inReference[f]).ToList();
        }
        else if (logged.Count == 0)
        {
            // Nothing logged in the window: compare every reference column, so the report says each is empty.
            chosen = [.. referenceColumns];
        }
        else
        {
            chosen = referenceColumns.Where(c => logged.Contains(c.Name)).ToList();
            if (chosen.Count == 0)
                throw CairnException.InvalidParameter(
                    $"The reference {reference} shares no column with the model's logged inputs: it has {string.Join(", ", inReference.Keys)}; {current} logs {string.Join(", ", logged)}. " +
                    "Give a reference with the model's input columns, or name the features to compare.");
        }
        return WithKinds(spec, chosen);
    }

    /// <summary>The columns with the kinds the monitor's per-feature settings give them.</summary>
    public static IReadOnlyList<MonitoredColumn> WithKinds(MonitorSpec spec, IReadOnlyList<MonitoredColumn> columns) =>
        columns.Select(c => spec.Drift?.PerFeature?.GetValueOrDefault(c.Name)?.Kind is { } kind ? c with { Kind = ParseKind(kind, c.Name) } : c).ToList();

    private static MonitoredKind ParseKind(string kind, string column) => kind.ToLowerInvariant() switch
    {
        "numeric" or "numerical" or "number" => MonitoredKind.Numeric,
        "categorical" or "category" => MonitoredKind.Categorical,
        _ => throw CairnException.InvalidParameter($"The kind '{kind}' of column {column} is neither numeric nor categorical."),
    };
}
