namespace Cairn.Features;

/// <summary>
/// Runs an on-demand view's function over rows and checks what it gives back: one row per input
/// row, every declared feature present and of its type. Online lookups and training sets both
/// compute through here.
/// </summary>
internal static class OnDemandFeatureComputer
{
    /// <summary>Per declared feature of <paramref name="view"/> (in declared order), one value per row.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when the function is missing, throws (naming the first row it fails on) or gives a wrong answer.</exception>
    public static object?[][] Compute(OnDemandFeatureViewDefinition view, OnDemandFeatureFunctions functions, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        var function = functions.Get(view.Function, view.Name);
        var answer = Run(function, view, rows);
        if (answer is null || answer.Count != rows.Count)
            throw Wrong(view, $"gave {answer?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null instead of"} row(s) for {rows.Count}");
        var columns = view.Features.Select(_ => new object?[rows.Count]).ToArray();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = answer[r] ?? throw Wrong(view, $"gave null for row {r + 1}");
            for (var f = 0; f < view.Features.Count; f++)
            {
                var field = view.Features[f];
                if (!row.TryGetValue(field.Name, out var value))
                    throw Wrong(view, $"gave no '{field.Name}' for row {r + 1} (it gave {string.Join(", ", row.Keys)})");
                columns[f][r] = value is null ? null : OnDemandValues.Stored(value, field)
                    ?? throw Wrong(view, $"gave {OnDemandValues.Describe(value)} as '{field.Name}' for row {r + 1}, which is declared {field.Type.Name()}");
            }
        }
        return columns;
    }

    /// <summary>Calls the function on the batch; when it throws, calls it row by row to name the first row it fails on (functions are pure, so this repeats nothing observable).</summary>
    private static IReadOnlyList<IReadOnlyDictionary<string, object?>> Run(IOnDemandFeatureFunction function, OnDemandFeatureViewDefinition view, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        try
        {
            return function.Compute(rows);
        }
        catch (Exception batch) when (batch is not OperationCanceledException)
        {
            for (var r = 0; r < rows.Count; r++)
            {
                try
                {
                    function.Compute([rows[r]]);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw Failed(function, view, $"on row {r + 1} ({Describe(rows[r])})", e);
                }
            }
            throw Failed(function, view, $"on a batch of {rows.Count} row(s)", batch);
        }
    }

    private static CairnException Failed(IOnDemandFeatureFunction function, OnDemandFeatureViewDefinition view, string where, Exception e) =>
        CairnException.InvalidParameter($"The feature function '{function.Name}' of on-demand feature view '{view.Name}' failed {where}: {e.GetType().Name}: {e.Message}");

    private static CairnException Wrong(OnDemandFeatureViewDefinition view, string what) =>
        CairnException.InvalidParameter($"The feature function '{view.Function}' of on-demand feature view '{view.Name}' {what}.");

    private static string Describe(IReadOnlyDictionary<string, object?> row) =>
        string.Join(", ", row.Select(p => $"{p.Key}={OnDemandValues.Describe(p.Value)}"));
}
