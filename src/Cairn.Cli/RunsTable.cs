using System.Globalization;
using Cairn.Search;
using Cairn.Tracking;
using Spectre.Console;

namespace Cairn.Cli;

/// <summary>
/// The table of <c>runs list</c> and <c>runs search</c>: short id, name, status, start and
/// duration, then the metrics and params the filter or order mention, then the others. In a
/// terminal it keeps to the terminal's width with as many whole columns as fit (a cut cell helps
/// nobody), the id, the name and the mentioned keys before the rest. Piped, it shows every column
/// in full. <c>--columns</c> chooses them by name. Nested runs follow their parent, indented in
/// the id column.
/// </summary>
internal sealed class RunsTable
{
    private const int ShortIdLength = 8;
    private const int Gap = 2;

    private sealed record Column(string Name, string Heading, Func<Run, string> Cell, bool RightAligned = false);

    private readonly IReadOnlyList<Run> _runs;
    private readonly Dictionary<string, string> _guides;
    private readonly int? _width;
    private readonly List<Column> _candidates;

    /// <param name="width">The terminal's width, or null when piped (every column, ids in full).</param>
    public RunsTable(IReadOnlyList<Run> runs, IReadOnlyDictionary<string, string> experimentNames, int? width)
    {
        // Child runs follow their parent, their ids drawn as branches (└─) of its tree.
        var tree = RunTree.Order(runs);
        _runs = tree.Select(row => row.Run).ToList();
        _guides = tree.ToDictionary(row => row.Run.Info.RunId, row => row.Guide, StringComparer.Ordinal);
        _width = width;
        _candidates =
        [
            new("id", "Run", r => _guides[r.Info.RunId] + (width is null ? r.Info.RunId : r.Info.RunId[..ShortIdLength])),
            new("name", "Name", r => r.Info.RunName ?? ""),
            new("experiment", "Experiment", r => experimentNames.GetValueOrDefault(r.Info.ExperimentId, r.Info.ExperimentId)),
            new("status", "Status", r => r.Info.Status.ToString().ToUpperInvariant()),
            new("start", "Started", r => width is null ? Output.Time(r.Info.StartTime) : ShortTime(r.Info.StartTime)),
            new("duration", "Duration", r => Duration(r.Info.StartTime, r.Info.EndTime), RightAligned: true),
        ];
        foreach (var key in Keys(r => r.Data.Metrics.Select(m => m.Key)))
            _candidates.Add(new("metrics." + key, key, r => r.Data.Metrics.FirstOrDefault(m => m.Key == key) is { } m ? Output.Number(m.Value) : "", RightAligned: true));
        foreach (var key in Keys(r => r.Data.Params.Select(p => p.Key)))
            _candidates.Add(new("params." + key, key, r => r.Data.Params.FirstOrDefault(p => p.Key == key)?.Value ?? ""));
        foreach (var key in Keys(r => r.Data.Tags.Select(t => t.Key)))
            _candidates.Add(new("tags." + key, key, r => r.Data.Tags.FirstOrDefault(t => t.Key == key)?.Value ?? ""));
    }

    /// <summary>The columns to show: the ones named, else the defaults in order of use, as many as fit.</summary>
    /// <returns>The table, and the default columns left out for want of width.</returns>
    public (Table Table, IReadOnlyList<string> Hidden) Build(IReadOnlyList<string>? columns, string? filter, IReadOnlyList<string>? orderBy)
    {
        var mentioned = Mentioned(filter, orderBy);
        var shown = columns is { Count: > 0 } ? columns.Select(Find).ToList() : Defaults(mentioned);
        var hidden = new List<string>();
        if (columns is not { Count: > 0 } && _width is { } width)
        {
            // The id and the name always show; then the keys the search is about, then the rest in
            // order. A column shows whole or not at all, and the first that does not fit ends it.
            var priority = shown.OrderBy(c => c.Name is "id" or "name" ? 0 : mentioned.Contains(c.Name) ? 1 : 2).ToList();
            var used = -Gap;
            var fitting = new HashSet<string>();
            foreach (var column in priority)
            {
                var needed = Gap + Width(column);
                if (fitting.Count >= 2 && (hidden.Count > 0 || used + needed > width)) { hidden.Add(column.Name); continue; }
                fitting.Add(column.Name);
                used += needed;
            }
            shown = shown.Where(c => fitting.Contains(c.Name)).ToList();
        }
        var table = new Table().Border(TableBorder.None);
        foreach (var column in shown)
        {
            var tableColumn = new TableColumn(Output.Escape(column.Heading)).Padding(0, 0, column == shown[^1] ? 0 : Gap, 0);
            table.AddColumn(column.RightAligned ? tableColumn.RightAligned() : tableColumn);
        }
        foreach (var run in _runs) table.AddRow(shown.Select(c => Output.Escape(c.Cell(run))).ToArray());
        return (table, hidden);
    }

    /// <summary>The metrics, then the params and tags, that the order-by and the filter name, in order of mention.</summary>
    private static List<string> Mentioned(string? filter, IReadOnlyList<string>? orderBy) =>
        FilterParser.ParseOrderBy(orderBy).Select(t => Prefix(t.Kind) + t.Key)
            .Concat(FilterParser.Parse(filter).Select(c => Prefix(c.Kind) + c.Key))
            .OrderBy(name => name.StartsWith("metrics.", StringComparison.Ordinal) ? 0 : 1) // a stable sort: each group keeps its order
            .Distinct().ToList();

    /// <summary>Every column in the default order: attributes, the keys mentioned, then the other metrics and params.</summary>
    private List<Column> Defaults(List<string> mentioned)
    {
        var experiments = _runs.Select(r => r.Info.ExperimentId).Distinct().Count();
        var attributes = _candidates.Where(c => !c.Name.Contains('.') && (c.Name != "experiment" || experiments > 1));
        var data = _candidates.Where(c => c.Name.Contains('.') && !c.Name.StartsWith("tags.", StringComparison.Ordinal));
        return attributes
            .Concat(mentioned.Select(name => _candidates.FirstOrDefault(c => c.Name == name)).OfType<Column>())
            .Concat(data.Where(c => !mentioned.Contains(c.Name)))
            .ToList();
    }

    private Column Find(string name)
    {
        var wanted = name.Trim();
        return _candidates.FirstOrDefault(c => c.Name == wanted)
            ?? _candidates.FirstOrDefault(c => c.Name.Contains('.') && c.Name[(c.Name.IndexOf('.') + 1)..] == wanted)
            ?? throw CairnException.InvalidParameter(
                $"No column '{wanted}' in these runs. Columns: {string.Join(", ", _candidates.Select(c => c.Name))}.");
    }

    private int Width(Column column) => _runs.Select(r => column.Cell(r).Length).Append(column.Heading.Length).Max();

    private IEnumerable<string> Keys(Func<Run, IEnumerable<string>> keys) => _runs.SelectMany(keys).Distinct().Order(StringComparer.Ordinal);

    private static string Prefix(EntityKind kind) => kind switch
    {
        EntityKind.Metric => "metrics.",
        EntityKind.Param => "params.",
        EntityKind.Tag => "tags.",
        _ => "attributes.",
    };

    private static string ShortTime(long? millis) => millis is { } ms
        ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
        : "";

    private static string Duration(long? start, long? end)
    {
        if (start is null || end is null) return "";
        var span = TimeSpan.FromMilliseconds(Math.Max(0, end.Value - start.Value));
        return span.TotalSeconds < 60 ? span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes}m {span.Seconds:00}s"
            : $"{(int)span.TotalHours}h {span.Minutes:00}m";
    }
}
