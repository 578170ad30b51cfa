using Cairn.Server.Ui.Graphs;

namespace Cairn.Server.Ui.Tests;

/// <summary>The pipeline DAG's layout: layers by longest path, order within layers, no overlap, the same picture every time.</summary>
public sealed class DagLayoutTests
{
    private static PlacedNode Node(DagLayout layout, string id) => layout.Nodes.Single(n => n.Id == id);

    [Fact]
    public void Layers_AreTheLongestPathFromASource()
    {
        // a -> b -> c and a -> c: c goes after b, not beside it.
        var layout = DagLayout.For(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "c")]);
        Assert.Equal(0, Node(layout, "a").Layer);
        Assert.Equal(1, Node(layout, "b").Layer);
        Assert.Equal(2, Node(layout, "c").Layer);
        Assert.Equal(0, Node(layout, "d").Layer);
        Assert.True(Node(layout, "a").X < Node(layout, "b").X && Node(layout, "b").X < Node(layout, "c").X);
    }

    [Fact]
    public void AnEdgeThatSkipsALayer_RunsInItsOwnLane_NotBehindTheBoxItSkips()
    {
        var layout = DagLayout.For(["a", "b", "c"], [("a", "b"), ("b", "c"), ("a", "c")]);
        var b = Node(layout, "b");
        var skip = layout.Edges.Single(e => e.From == "a" && e.To == "c").Path;
        var lane = System.Text.RegularExpressions.Regex.Match(skip, @" L(\d+) (\d+) ");
        Assert.True(lane.Success, skip);
        var y = int.Parse(lane.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(y < b.Y || y > b.Y + DagLayout.NodeHeight, $"the lane at y={y} runs through b ({b.Y}..{b.Y + DagLayout.NodeHeight})");
        Assert.True(layout.Height >= 2 * DagLayout.NodeHeight, "the lane takes a row");
    }

    [Fact]
    public void EveryEdge_PointsRight_FromTheRightSideOfOneBoxToTheLeftSideOfTheOther()
    {
        var layout = DagLayout.For(["a", "b", "c"], [("a", "b"), ("b", "c"), ("a", "c")]);
        foreach (var edge in layout.Edges)
        {
            var (from, to) = (Node(layout, edge.From), Node(layout, edge.To));
            Assert.True(from.Layer < to.Layer);
            Assert.StartsWith($"M{from.X + DagLayout.NodeWidth} {from.Y + DagLayout.NodeHeight / 2} ", edge.Path);
            Assert.EndsWith($" {to.X} {to.Y + DagLayout.NodeHeight / 2}", edge.Path);
        }
    }

    [Fact]
    public void Sources_KeepTheInputOrder_AndLaterLayersFollowTheRowsOfWhatTheyNeed()
    {
        // b's child is listed first, but goes second: it follows b, which is below a.
        var layout = DagLayout.For(["a", "b", "fromB", "fromA"], [("b", "fromB"), ("a", "fromA")]);
        Assert.Equal(0, Node(layout, "a").Row);
        Assert.Equal(1, Node(layout, "b").Row);
        Assert.Equal(0, Node(layout, "fromA").Row);
        Assert.Equal(1, Node(layout, "fromB").Row);
        Assert.Equal(Node(layout, "a").Y, Node(layout, "fromA").Y);
    }

    [Fact]
    public void AShorterColumn_IsCentredOnTheTallest()
    {
        var layout = DagLayout.For(["a", "b", "c", "join"], [("a", "join"), ("b", "join"), ("c", "join")]);
        Assert.Equal(Node(layout, "b").Y, Node(layout, "join").Y);
    }

    [Fact]
    public void NoTwoBoxesOverlap_AndTheDrawingHoldsThemAll()
    {
        // A wide, deep graph: 30 nodes, each needing an earlier one, and most also the one five before.
        var ids = Enumerable.Range(0, 30).Select(i => $"n{i}").ToList();
        var edges = new List<(string, string)>();
        for (var i = 1; i < ids.Count; i++)
        {
            edges.Add((ids[(i * 7 + 3) % i], ids[i]));
            if (i > 5) edges.Add((ids[i - 5], ids[i]));
        }
        var layout = DagLayout.For(ids, edges);
        Assert.Equal(ids.Count, layout.Nodes.Count);
        foreach (var a in layout.Nodes)
        {
            Assert.True(a.X >= 0 && a.Y >= 0 && a.X + DagLayout.NodeWidth <= layout.Width && a.Y + DagLayout.NodeHeight <= layout.Height, $"{a.Id} is outside the drawing");
            foreach (var b in layout.Nodes.Where(b => b.Id != a.Id))
            {
                var apart = a.X + DagLayout.NodeWidth <= b.X || b.X + DagLayout.NodeWidth <= a.X || a.Y + DagLayout.NodeHeight <= b.Y || b.Y + DagLayout.NodeHeight <= a.Y;
                Assert.True(apart, $"{a.Id} and {b.Id} overlap");
            }
        }
        foreach (var edge in layout.Edges) Assert.True(Node(layout, edge.From).Layer < Node(layout, edge.To).Layer);
    }

    [Fact]
    public void TheSameGraph_GivesTheSameLayout()
    {
        string[] ids = ["x", "y", "z", "w"];
        (string, string)[] edges = [("x", "z"), ("y", "z"), ("z", "w")];
        var first = DagLayout.For(ids, edges);
        var second = DagLayout.For(ids, edges);
        Assert.Equal(first.Nodes, second.Nodes);
        Assert.Equal(first.Edges, second.Edges);
        Assert.Equal((first.Width, first.Height), (second.Width, second.Height));
    }

    [Fact]
    public void EdgesToUnknownNodes_SelfLoopsAndCycles_DoNotFailTheLayout()
    {
        var layout = DagLayout.For(["a", "b", "c", "a"], [("a", "b"), ("b", "a"), ("c", "c"), ("c", "ghost")]);
        Assert.Equal(["a", "b", "c"], layout.Nodes.Select(n => n.Id).Order());
        Assert.Equal(2, layout.Edges.Count);
        Assert.Equal(0, Node(layout, "c").Layer);
        Assert.Equal(1, Node(layout, "a").Layer); // the cycle goes after the rest
        Assert.Equal(1, Node(layout, "b").Layer);
    }

    [Fact]
    public void NoNodes_IsAnEmptyDrawing()
    {
        var layout = DagLayout.For([], []);
        Assert.Empty(layout.Nodes);
        Assert.Equal((0, 0), (layout.Width, layout.Height));
    }
}
