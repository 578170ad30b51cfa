using Cairn.Tracking;

namespace Cairn.Server.Ui.Browsing;

/// <summary>
/// The metric, param and tag columns the runs table offers, from the runs on the page: the keys
/// whose values differ between those runs come first (a run without the key counts as a
/// different value), then the keys equal in all of them, each group in alphabetical order. The
/// default columns are the first few metrics and params of that order, so a sweep over
/// <c>trainer</c> and <c>trees</c> shows them even when <c>dataset</c> and <c>label</c> sort
/// earlier; MLflow's and Weights &amp; Biases' run tables put what varies first in the same way.
/// </summary>
public sealed record RunColumns(IReadOnlyList<string> Metrics, IReadOnlyList<string> Params, IReadOnlyList<string> Tags, IReadOnlySet<string> Constant)
{
    public const int DefaultPerKind = 5;

    public static RunColumns Of(IReadOnlyList<Run> runs)
    {
        var constant = new HashSet<string>(StringComparer.Ordinal);
        var metrics = Order(runs, "metrics.", r => r.Data.Metrics.Select(m => (m.Key, Format(m.Value))), constant);
        var parameters = Order(runs, "params.", r => r.Data.Params.Select(p => (p.Key, p.Value)), constant);
        var tags = Order(runs, "tags.", r => r.Data.Tags.Where(t => !t.Key.StartsWith("mlflow.", StringComparison.Ordinal)).Select(t => (t.Key, t.Value)), constant);
        return new RunColumns(metrics, parameters, tags, constant);
    }

    /// <summary>Every column, metrics then params then tags.</summary>
    public IEnumerable<string> All => Metrics.Concat(Params).Concat(Tags);

    /// <summary>What the table shows when the URL chooses no columns.</summary>
    public IReadOnlyList<string> Defaults(int perKind = DefaultPerKind) => [.. Metrics.Take(perKind), .. Params.Take(perKind)];

    /// <summary>Whether every run on the page has the same value in this column (with one run, all do).</summary>
    public bool IsConstant(string column) => Constant.Contains(column);

    private static List<string> Order(IReadOnlyList<Run> runs, string prefix, Func<Run, IEnumerable<(string Key, string Value)>> valuesOf, HashSet<string> constant)
    {
        var values = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var present = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            foreach (var (key, value) in valuesOf(run).DistinctBy(kv => kv.Key))
            {
                if (!values.TryGetValue(key, out var set)) values[key] = set = [];
                set.Add(value);
                present[key] = present.GetValueOrDefault(key) + 1;
            }
        }
        var same = values.Where(kv => kv.Value.Count == 1 && present[kv.Key] == runs.Count).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var key in same) constant.Add(prefix + key);
        return values.Keys
            .OrderBy(key => same.Contains(key))
            .ThenBy(key => key, StringComparer.Ordinal)
            .Select(key => prefix + key)
            .ToList();
    }

    private static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
