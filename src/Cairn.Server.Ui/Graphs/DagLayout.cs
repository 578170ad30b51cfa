using System.Globalization;
using System.Text;

namespace Cairn.Server.Ui.Graphs;

/// <summary>A node placed by <see cref="DagLayout"/>: its column (layer), its row in that column, and its box's top left corner.</summary>
public sealed record PlacedNode(string Id, int Layer, int Row, int X, int Y);

/// <summary>An edge drawn from the right side of one node to the left side of another, as an SVG path.</summary>
public sealed record PlacedEdge(string From, string To, string Path);

/// <summary>
/// A DAG laid out left to right in layers, in plain arithmetic so the same graph always gives the
/// same picture. A node's layer is the longest path to it from a source, so every edge points
/// right; an edge that skips layers gets a lane of its own in each layer it crosses, so it never
/// runs behind a box. Layer 0 keeps the input order; each later layer is sorted by the mean row of
/// the nodes it needs (ties: input order), which keeps chains straight and crossings few. Columns are
/// centred on the tallest. Edges to unknown nodes are ignored; nodes on a cycle (which a checked
/// pipeline cannot have) go in a last layer rather than failing the page.
/// </summary>
public sealed class DagLayout
{
    public const int NodeWidth = 180, NodeHeight = 54, ColumnGap = 56, RowGap = 18, Margin = 8;

    public IReadOnlyList<PlacedNode> Nodes { get; }
    public IReadOnlyList<PlacedEdge> Edges { get; }
    public int Width { get; }
    public int Height { get; }

    private DagLayout(IReadOnlyList<PlacedNode> nodes, IReadOnlyList<PlacedEdge> edges, int width, int height)
    {
        Nodes = nodes;
        Edges = edges;
        Width = width;
        Height = height;
    }

    public static DagLayout For(IReadOnlyList<string> nodes, IEnumerable<(string From, string To)> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in nodes) index.TryAdd(n, index.Count);
        var ids = index.Keys.ToList();
        var kept = edges.Where(e => index.ContainsKey(e.From) && index.ContainsKey(e.To) && e.From != e.To).Distinct().ToList();
        var upstream = ids.ToDictionary(n => n, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var (from, to) in kept) upstream[to].Add(from);

        var layers = Layers(ids, upstream, kept);

        // An edge that spans layers passes through a placeholder in each layer between, which takes a
        // row like a node: the edge runs in its own lane instead of behind the boxes it skips.
        var placeholders = new HashSet<string>(StringComparer.Ordinal);
        var order = new Dictionary<string, int>(index, StringComparer.Ordinal);
        var orderingUpstream = ids.ToDictionary(n => n, _ => new List<string>(), StringComparer.Ordinal);
        var lanes = new List<(string From, string To, List<string> Via)>();
        foreach (var (from, to) in kept)
        {
            var via = new List<string>();
            var previous = from;
            for (var l = layers[from] + 1; l < layers[to]; l++)
            {
                var id = "\u0001" + order.Count.ToString(CultureInfo.InvariantCulture);
                while (order.ContainsKey(id)) id += "\u0001";
                order[id] = order.Count;
                layers[id] = l;
                placeholders.Add(id);
                orderingUpstream[id] = [previous];
                via.Add(id);
                previous = id;
            }
            orderingUpstream[to].Add(previous);
            lanes.Add((from, to, via));
        }

        var columns = Enumerable.Range(0, layers.Values.DefaultIfEmpty(-1).Max() + 1).Select(_ => new List<string>()).ToList();
        var row = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var id in order.Keys.OrderBy(k => order[k])) columns[layers[id]].Add(id); // input order within each layer
        var tallest = columns.Select(c => c.Count).DefaultIfEmpty(0).Max();
        for (var l = 0; l < columns.Count; l++)
        {
            if (l > 0)
            {
                columns[l] = columns[l]
                    .OrderBy(n => orderingUpstream[n].Count(row.ContainsKey) is > 0 and var c ? orderingUpstream[n].Where(row.ContainsKey).Sum(u => row[u]) / c : double.MaxValue)
                    .ThenBy(n => order[n]).ToList();
            }
            // Rows as drawn, with each column centred on the tallest, so rows of different columns compare.
            for (var r = 0; r < columns[l].Count; r++) row[columns[l][r]] = r + (tallest - columns[l].Count) / 2.0;
        }

        var placed = new List<PlacedNode>(ids.Count);
        var byId = new Dictionary<string, PlacedNode>(StringComparer.Ordinal);
        for (var l = 0; l < columns.Count; l++)
        {
            // Centre a shorter column on the tallest one (NodeHeight + RowGap is even, so coordinates stay whole numbers).
            var offset = (tallest - columns[l].Count) * (NodeHeight + RowGap) / 2;
            for (var r = 0; r < columns[l].Count; r++)
            {
                var node = new PlacedNode(columns[l][r], l, r, Margin + l * (NodeWidth + ColumnGap), Margin + offset + r * (NodeHeight + RowGap));
                byId[node.Id] = node;
                if (!placeholders.Contains(node.Id)) placed.Add(node);
            }
        }
        var paths = lanes.Select(e => new PlacedEdge(e.From, e.To, EdgePath(byId[e.From], e.Via.Select(v => byId[v]), byId[e.To]))).ToList();
        var width = columns.Count == 0 ? 0 : 2 * Margin + columns.Count * NodeWidth + (columns.Count - 1) * ColumnGap;
        var height = tallest == 0 ? 0 : 2 * Margin + tallest * NodeHeight + (tallest - 1) * RowGap;
        return new DagLayout(placed, paths, width, height);
    }

    /// <summary>Longest path from a source, by Kahn's algorithm; what a cycle leaves unplaced goes after the rest.</summary>
    private static Dictionary<string, int> Layers(List<string> ids, Dictionary<string, List<string>> upstream, List<(string From, string To)> edges)
    {
        var layer = new Dictionary<string, int>(StringComparer.Ordinal);
        var waiting = ids.ToDictionary(n => n, n => upstream[n].Count, StringComparer.Ordinal);
        var downstream = ids.ToDictionary(n => n, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var (from, to) in edges) downstream[from].Add(to);
        var ready = new Queue<string>(ids.Where(n => waiting[n] == 0));
        while (ready.TryDequeue(out var n))
        {
            layer[n] = upstream[n].Select(u => layer[u] + 1).DefaultIfEmpty(0).Max();
            foreach (var d in downstream[n])
                if (--waiting[d] == 0) ready.Enqueue(d);
        }
        var last = layer.Values.DefaultIfEmpty(-1).Max() + 1;
        foreach (var n in ids) layer.TryAdd(n, last);
        return layer;
    }

    /// <summary>Curves from box to box, straight across each placeholder's lane.</summary>
    private static string EdgePath(PlacedNode from, IEnumerable<PlacedNode> via, PlacedNode to)
    {
        var path = new StringBuilder();
        int x = from.X + NodeWidth, y = from.Y + NodeHeight / 2;
        path.Append(CultureInfo.InvariantCulture, $"M{x} {y}");
        foreach (var lane in via)
        {
            Curve(lane.X, lane.Y + NodeHeight / 2);
            x = lane.X + NodeWidth;
            path.Append(CultureInfo.InvariantCulture, $" L{x} {y}");
        }
        Curve(to.X, to.Y + NodeHeight / 2);
        return path.ToString();

        void Curve(int x2, int y2)
        {
            var bend = (x + x2) / 2;
            path.Append(CultureInfo.InvariantCulture, $" C{bend} {y} {bend} {y2} {x2} {y2}");
            y = y2;
        }
    }
}
