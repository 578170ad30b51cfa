using System.Text.RegularExpressions;

namespace Cairn.Server.Ui.Monitors;

/// <summary>What one run says about one column: its drift score and verdict, PSI and missing rate, each absent when not computed.</summary>
public sealed record FeatureRow(string Column, double? DriftScore, bool? Drifted, double? Psi, double? MissingRate);

/// <summary>Reads the per-column values of a monitor run (<c>drift_score(Distance)</c>, <c>psi(Origin)</c>...).</summary>
public static partial class FeatureValues
{
    [GeneratedRegex(@"^([a-z][a-z0-9_]*)\((.+)\)$")]
    private static partial Regex ColumnKey();

    /// <summary>The function and column of a per-column key, or null for a run-wide value (<c>drift_share</c>) or a slice (<c>auc[Origin=SEA]</c>).</summary>
    public static (string Function, string Column)? Split(string key)
    {
        var m = ColumnKey().Match(key);
        return m.Success ? (m.Groups[1].Value, m.Groups[2].Value) : null;
    }

    /// <summary>One row per column a drift or quality value names; drifted columns first, then by name.</summary>
    public static IReadOnlyList<FeatureRow> Rows(IReadOnlyDictionary<string, double> values)
    {
        var columns = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in values.Keys)
        {
            if (Split(key) is ("drift_score" or "drift" or "psi" or "missing_rate", var column)) columns.Add(column);
        }
        double? Get(string function, string column) => values.TryGetValue($"{function}({column})", out var v) ? v : null;
        return columns
            .Select(c => new FeatureRow(c, Get("drift_score", c), Get("drift", c) is { } d ? d >= 0.5 : null, Get("psi", c), Get("missing_rate", c)))
            .OrderBy(r => r.Drifted == true ? 0 : 1)
            .ThenBy(r => r.Column, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The value names a column has across runs (<c>drift_score</c>, <c>psi</c>, <c>ks_pvalue</c>...): the drift score, the
    /// verdict, PSI and missing rate first, the rest by name.
    /// </summary>
    public static IReadOnlyList<string> FunctionsOf(string column, IEnumerable<IReadOnlyDictionary<string, double>> runs)
    {
        string[] first = ["drift_score", "drift", "psi", "missing_rate"];
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var values in runs)
        {
            foreach (var key in values.Keys)
            {
                if (Split(key) is var (function, c) && c == column) found.Add(function);
            }
        }
        return first.Where(found.Contains).Concat(found.Except(first).Order(StringComparer.Ordinal)).ToList();
    }
}
