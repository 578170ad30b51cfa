namespace Cairn.Features;

/// <summary>The on-demand part of an online lookup: request values taken from the entities, and columns computed from them and the stored inputs.</summary>
internal static class OnDemandOnline
{
    private static readonly DateTimeOffset NoTimestamp = DateTimeOffset.UnixEpoch;

    /// <summary>The view's request fields, each a column of the entities converted to its type (Feast's request data).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE listing the request fields the entities lack, or naming a value of the wrong type.</exception>
    public static Dictionary<string, object?[]> RequestValues(IReadOnlyDictionary<string, IReadOnlyList<object?>> entities, OnDemandFeatureViewDefinition view, int rows)
    {
        var missing = view.RequestFields.Where(f => !entities.ContainsKey(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
            throw CairnException.InvalidParameter($"On-demand feature view '{view.Name}' needs the request field(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}, " +
                $"which the entities do not have (they have {string.Join(", ", entities.Keys)}): send each as a column of entities beside the join keys.");
        var values = new Dictionary<string, object?[]>(StringComparer.Ordinal);
        foreach (var field in view.RequestFields)
        {
            var column = entities[field.Name];
            var converted = new object?[rows];
            for (var r = 0; r < rows; r++) converted[r] = OnDemandValues.Request(column[r], field, r, view.Name);
            values[field.Name] = converted;
        }
        return values;
    }

    /// <summary>
    /// The view's features, each a column: PRESENT where the function gave a value; otherwise
    /// NOT_FOUND when an input had nothing stored for the row, else NULL_VALUE. A value's event time
    /// is the newest of its inputs' (none: the epoch, as for request values).
    /// </summary>
    public static Dictionary<string, OnlineFeatureColumn> Compute(SelectedOnDemandView selected, OnDemandFeatureFunctions functions,
        Dictionary<string, object?[]> requestValues, IReadOnlyDictionary<FeatureReference, OnlineFeatureColumn> stored, int rows)
    {
        var view = selected.View;
        var inputRows = new IReadOnlyDictionary<string, object?>[rows];
        var notFound = new bool[rows];
        var times = new DateTimeOffset[rows];
        for (var r = 0; r < rows; r++)
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (name, values) in requestValues) row[name] = values[r];
            times[r] = NoTimestamp;
            foreach (var input in view.Inputs)
            {
                var column = stored[input];
                var present = column.Statuses[r] == OnlineFeatureStatuses.Present;
                row[input.Feature] = present ? column.Values[r] : null;
                notFound[r] |= column.Statuses[r] == OnlineFeatureStatuses.NotFound;
                if (column.Statuses[r] != OnlineFeatureStatuses.NotFound && column.EventTimestamps[r] > times[r]) times[r] = column.EventTimestamps[r];
            }
            inputRows[r] = row;
        }
        var outputs = OnDemandFeatureComputer.Compute(view, functions, inputRows);
        var result = new Dictionary<string, OnlineFeatureColumn>(StringComparer.Ordinal);
        for (var f = 0; f < view.Features.Count; f++)
        {
            var values = outputs[f];
            var statuses = values.Select((value, r) => value is not null ? OnlineFeatureStatuses.Present
                : notFound[r] ? OnlineFeatureStatuses.NotFound : OnlineFeatureStatuses.NullValue).ToArray();
            result[view.Features[f].Name] = new OnlineFeatureColumn(values, statuses, times);
        }
        return result;
    }
}
